"""Hawthorne: catch AI models that fake alignment."""

__version__ = "0.1.0"

__all__ = ["__version__"]
