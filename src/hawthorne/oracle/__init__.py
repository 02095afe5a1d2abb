"""The oracle: answer → decision → outcome (the ``<decision>`` tag, or a judge for prose)."""

from hawthorne.oracle._judge import (
    ORACLE_MODES,
    REFUSED,
    UNCLEAR,
    Judgement,
    OracleMode,
    is_judge_prompt,
    judge_prompt,
    needs_judge,
    read_by,
    read_judgement,
    reference_judge,
    reference_reading,
)
from hawthorne.oracle._outcome import OUTCOMES, Outcome, classify, is_adherent
from hawthorne.oracle._parse import extract_reasoning, parse_decision
from hawthorne.oracle._quote import MIN_QUOTE_CHARS, quote_in_text, reply_object

__all__ = [
    "Judgement",
    "MIN_QUOTE_CHARS",
    "ORACLE_MODES",
    "OUTCOMES",
    "OracleMode",
    "Outcome",
    "REFUSED",
    "UNCLEAR",
    "classify",
    "extract_reasoning",
    "is_adherent",
    "is_judge_prompt",
    "judge_prompt",
    "needs_judge",
    "parse_decision",
    "quote_in_text",
    "read_by",
    "read_judgement",
    "reference_judge",
    "reference_reading",
    "reply_object",
]
