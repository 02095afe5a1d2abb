"""The oracle: answer → decision → outcome."""

from hawthorne.oracle._outcome import OUTCOMES, Outcome, classify, is_adherent
from hawthorne.oracle._parse import extract_reasoning, parse_decision

__all__ = [
    "OUTCOMES",
    "Outcome",
    "classify",
    "extract_reasoning",
    "is_adherent",
    "parse_decision",
]
