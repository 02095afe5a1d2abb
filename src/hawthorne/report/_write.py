"""Writing a run folder's report files, each atomically."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hawthorne.report._html import render_html
from hawthorne.report._junit import render_junit
from hawthorne.report._markdown import render_markdown
from hawthorne.report._schema import Summary


def write_reports(
    out_dir: Path, summary: Summary, flips: Sequence[Mapping[str, Any]]
) -> dict[str, Path]:
    """Write ``summary.json``, ``report.md``, ``report.html`` and ``junit.xml`` into a folder.

    ``summary.json`` is the summary exactly as given (indent 2, UTF-8); it is written first, so
    the data survives even if a renderer fails. Each file is written to a temporary file in the
    same folder and moved into place with :func:`os.replace`, so a reader never sees a half
    written file.

    Args:
        out_dir: The run folder (created if missing).
        summary: The summary (``hawthorne.summary/1``); JSON-serialisable (numpy scalars are
            accepted and written as plain numbers).
        flips: Flipped pairs, for the Markdown and HTML reports.

    Returns:
        File name → path of each file written, in the order written.

    Raises:
        TypeError: The summary holds a value JSON cannot represent.
        OSError: The folder or a file cannot be written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    data = json.dumps(summary, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    written["summary.json"] = write_atomic(out_dir / "summary.json", data)
    written["report.md"] = write_atomic(out_dir / "report.md", render_markdown(summary, flips))
    written["report.html"] = write_atomic(out_dir / "report.html", render_html(summary, flips))
    written["junit.xml"] = write_atomic(out_dir / "junit.xml", render_junit(summary))
    return written


def _json_default(value: object) -> object:
    """Numpy scalars and arrays (and anything else with ``item``/``tolist``) as plain values."""
    for method in ("item", "tolist"):
        convert: Callable[[], object] | None = getattr(value, method, None)
        if callable(convert):
            try:
                return convert()
            except (TypeError, ValueError):
                continue
    raise TypeError(f"summary value of type {type(value).__name__} is not JSON serializable")


def write_atomic(path: Path, content: str) -> Path:
    """Write ``content`` to ``path`` through a temporary file and :func:`os.replace`.

    A reader never sees a half-written file, and a failure leaves the old file in place.
    """
    # Not tempfile.mkstemp: it creates the file 0600, and reports should get the usual umask
    # permissions like any other file the user writes.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
