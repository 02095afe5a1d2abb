"""The installed Hawthorne version (one place; the package, the CLI and run folders read it)."""

__version__ = "0.1.0"
