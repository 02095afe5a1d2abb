"""The one exception every suite, cue-family or stressor problem is reported as."""

from __future__ import annotations

__all__ = ["SuiteError"]


class SuiteError(Exception):
    """A suite, cue-family or stressor file is missing, malformed or inconsistent.

    The string form is ``path:line: field.path: message``; the parts that are unknown are
    left out, so a message is always one line a user can act on (and editors can jump to).

    Attributes:
        path: The file the problem is in, as the user named it (``None`` if not from a file).
        line: The 1-based line number in that file, or ``None`` when it is unknown.
        field: The dotted field path, e.g. ``protocol.decide[1].then``, or ``None``.
        message: What is wrong, in words.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        parts: list[str] = []
        if self.path is not None:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def __str__(self) -> str:
        return self._format()

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments are not restored by the default pickling of exceptions,
        # and audits may carry errors across process boundaries.
        return (_rebuild, (self.message, self.path, self.line, self.field))


def _rebuild(message: str, path: str | None, line: int | None, field: str | None) -> SuiteError:
    return SuiteError(message, path=path, line=line, field=field)
