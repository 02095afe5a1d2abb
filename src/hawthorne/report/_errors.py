"""The report package's exception."""

from __future__ import annotations


class ReportError(Exception):
    """A run folder or summary that cannot be read or used.

    The message is one line that names the file and what is wrong, fit to show a user as is
    (the CLI prints it and exits with status 2).
    """
