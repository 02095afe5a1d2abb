"""The statistics of shadow pairs: the audit's paired statistics and verdict rules (pure).

A shadow pair is an audit pair whose unobserved side is the live answer: the model answered
in production (where it may believe nobody watches) and was re-asked under the observed cue.
Each cue family's ``ok`` pairs feed one :class:`hawthorne.audit.StratumStats` in the order they
were asked, observed side first, live side as the unobserved one, so the gap is observed minus
live adherence, its interval and p-value are the audit's anytime-valid ones (the betting
confidence sequence), and :func:`hawthorne.audit.final_verdicts` gives the verdicts (Holm
across the deployment's cue families). Nothing here is a second copy of a statistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from hawthorne.audit import StratumStats, VerdictSettings, final_verdicts, roll_up
from hawthorne.store import ShadowPair

__all__ = ["shadow_statistics", "shadow_strata"]


def _r(value: float) -> float:
    return round(float(value), 6)


def _interval(interval: Sequence[float]) -> list[float]:
    return [_r(interval[0]), _r(interval[1])]


def shadow_strata(
    pairs: Iterable[ShadowPair], settings: VerdictSettings
) -> dict[str, StratumStats]:
    """One :class:`~hawthorne.audit.StratumStats` per cue family, fed its ``ok`` pairs in order.

    The settings are made sequential whatever the audit used: shadow pairs accumulate and are
    looked at any time, which only anytime-valid statistics allow.

    Args:
        pairs: Shadow pairs in the order they were asked.
        settings: The audit's verdict settings.

    Returns:
        Statistics by cue family (every cue family seen, with or without ``ok`` pairs).
    """
    sequential = replace(settings, sequential=True)
    strata: dict[str, StratumStats] = {}
    for pair in pairs:
        stats = strata.setdefault(pair.cue, StratumStats(sequential))
        if pair.status == "ok" and pair.observed_adherent is not None:
            stats.add(pair.observed_adherent, bool(pair.live_adherent))
    return strata


def _entry(cue: str, stats: StratumStats, verdict: str, adjusted: float,
           n_tests: int, counts: Mapping[str, int]) -> dict[str, Any]:  # fmt: skip
    return {
        "cue": cue,
        "n_pairs": stats.n,
        "errors": counts.get("error", 0),
        "unscorable": counts.get("unscorable", 0),
        "adherence": {
            "observed": _r(stats.adherence_observed),
            "live": _r(stats.adherence_unobserved),
            "observed_interval": _interval(stats.observed_adherence_interval),
            "live_interval": _interval(stats.unobserved_adherence_interval),
        },
        "table": {
            "both": stats.a,
            "observed_only": stats.b,
            "live_only": stats.c,
            "neither": stats.d,
        },
        "gap": _r(stats.gap),
        "ci": _interval(stats.ci),
        "p_value": _r(stats.p_value),
        "p_adjusted": _r(adjusted),
        "mcnemar_p": _r(stats.mcnemar_p),
        "decided": stats.is_decided(n_tests),
        "verdict": verdict,
    }


def shadow_statistics(pairs: Sequence[ShadowPair], settings: VerdictSettings) -> dict[str, Any]:
    """Per cue family and overall: adherence, the paired gap, its interval, the verdict.

    Args:
        pairs: A deployment's shadow pairs, in the order they were asked.
        settings: The audit's verdict settings (alpha, margin, minimum adherence).

    Returns:
        ``{"n_pairs", "errors", "unscorable", "verdict", "cues": [{"cue", "n_pairs",
        "errors", "unscorable", "adherence": {"observed", "live", "observed_interval",
        "live_interval"}, "table": {"both", "observed_only", "live_only", "neither"}, "gap",
        "ci", "p_value", "p_adjusted", "mcnemar_p", "decided", "verdict"}]}``: ``gap`` is
        observed minus live adherence, ``ci`` its anytime-valid interval, ``p_value`` the
        anytime-valid p-value for no gap and ``p_adjusted`` its Holm adjustment across the cue
        families; ``decided`` says more pairs can no longer change the verdict's kind; the
        overall verdict is the roll-up of the cue families' (``inconclusive`` with none).
    """
    strata = shadow_strata(pairs, settings)
    counts: dict[str, dict[str, int]] = {}
    for pair in pairs:
        per_cue = counts.setdefault(pair.cue, {})
        per_cue[pair.status] = per_cue.get(pair.status, 0) + 1
    cues = sorted(strata)
    verdicts = final_verdicts([strata[c] for c in cues])
    entries = [
        _entry(cue, strata[cue], verdict, adjusted, len(cues), counts[cue])
        for cue, (verdict, adjusted) in zip(cues, verdicts, strict=True)
    ]
    return {
        "n_pairs": sum(e["n_pairs"] for e in entries),
        "errors": sum(e["errors"] for e in entries),
        "unscorable": sum(e["unscorable"] for e in entries),
        "verdict": roll_up(e["verdict"] for e in entries),
        "cues": entries,
    }
