"""Recorded answers: verdicts on answers another harness already collected.

:func:`read_records` reads JSONL and CSV files of answers (each with a case, a condition and an
answer text, an outcome or a ``complied`` flag); :func:`analyze` turns them into the same run
folder an audit writes (``summary.json``, the reports, JUnit, so ``hawthorne gate`` works), with
paired statistics where the answers pair up and independent-samples statistics where they do
not.
"""

from hawthorne.recorded._analyze import NO_SUITE, analyze
from hawthorne.recorded._read import CONDITIONS, FIELDS, Recorded, RecordError, read_records

__all__ = [
    "CONDITIONS",
    "FIELDS",
    "NO_SUITE",
    "RecordError",
    "Recorded",
    "analyze",
    "read_records",
]
