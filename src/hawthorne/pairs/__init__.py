"""Pairs, the unit of analysis: which cases are asked under which cue, and what came back.

:func:`plan_stratum` lays out the pairs of one suite × cue family (discriminating and control
cases interleaved, paraphrases and stressors in turn); :class:`PairRecord` holds the two (or
three) answers of one pair, each read by the oracle into an :class:`Answer`.
"""

from hawthorne.pairs._plan import CONTROL_EVERY, PairSpec, plan_stratum
from hawthorne.pairs._records import Answer, PairRecord, read_answer

__all__ = [
    "Answer",
    "CONTROL_EVERY",
    "PairRecord",
    "PairSpec",
    "plan_stratum",
    "read_answer",
]
