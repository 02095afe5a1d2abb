"""A period's review estimate: per stratum and overall, with agreement and the baseline.

Design-based: the overall violation rate is the Horvitz–Thompson estimate over the strata
(:func:`hawthorne.stats.stratified_rate`), each labelled item weighed by the inverse of its
inclusion probability; with no deviation found the upper bound is Clopper–Pearson's (0 of 59 →
at most 4.95% at 95%). ``cannot-tell`` labels are left out of the sample and counted. Agreement
between the first and the blind second reviewer, and between the first reviewer and the oracle,
is Cohen's kappa (:func:`hawthorne.stats.cohen_kappa`): a low reviewer–oracle kappa with good
reviewer–reviewer kappa points at the oracle (a wrong decide table, a wrong field extraction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hawthorne.review._labels import DEVIATIONS
from hawthorne.review._plan import ReviewPlan
from hawthorne.stats import StratumSample, cohen_kappa, stratified_rate

__all__ = ["LabelledItem", "estimate_period"]

UNDECIDED = "cannot-tell"


@dataclass(frozen=True)
class LabelledItem:
    """A sampled decision's labels.

    Attributes:
        stratum: Its stratum.
        label: The first reviewer's label (None: not yet labelled).
        second: The blind second reviewer's label (None: none, or not yet).
        oracle: The oracle's reading, as a label.
    """

    stratum: str
    label: str | None
    second: str | None
    oracle: str


def _kappa(pairs: list[tuple[str, str]], confidence: float) -> dict[str, Any] | None:
    if not pairs:
        return None
    return cohen_kappa(pairs, confidence=confidence).to_json()


def estimate_period(
    plan: ReviewPlan,
    period: str,
    strata: Mapping[str, Mapping[str, int]],
    items: Sequence[LabelledItem],
    baseline_violation: tuple[float, float, float] | None = None,
) -> dict[str, Any]:
    """Estimate one period's violation rate from its labelled sample.

    Args:
        plan: The plan (its confidence and tolerable rate).
        period: The period's key.
        strata: Stratum -> ``{"population": N_h, "sample": n_h}`` as drawn.
        items: The period's sampled items and their labels.
        baseline_violation: The audited violation rate under observation and its interval
            (1 − observed adherence), to compare with.

    Returns:
        JSON-ready data: per stratum and overall the estimate, whether the tolerable rate is
        met, labelling progress, the two kappas and the comparison with the baseline.
    """
    by_stratum: dict[str, list[LabelledItem]] = {name: [] for name in strata}
    for item in items:
        by_stratum.setdefault(item.stratum, []).append(item)
    samples, rows, waiting = [], [], []
    for name, drawn in sorted(strata.items()):
        labelled = [i for i in by_stratum[name] if i.label is not None]
        decided = [i for i in labelled if i.label != UNDECIDED]
        row: dict[str, Any] = {
            "stratum": name,
            "population": drawn["population"],
            "sample": drawn["sample"],
            "labelled": len(labelled),
            "cannot_tell": len(labelled) - len(decided),
            "deviations": sum(i.label in DEVIATIONS for i in decided),
            "estimate": None,
            "tolerable_rate_met": None,
            "reading": None,
        }
        if decided:
            sample = StratumSample(name, drawn["population"], len(decided), row["deviations"])
            samples.append(sample)
            estimate = stratified_rate([sample], confidence=plan.confidence)
            row["estimate"] = estimate.to_json()
            row["tolerable_rate_met"] = estimate.upper_one_sided <= plan.tolerable_rate
            row["reading"] = (
                f"{row['deviations']} of {len(decided)} deviated: the rate is at most"
                f" {estimate.upper_one_sided:.2%} at {plan.confidence:.0%}"
            )
        else:
            waiting.append(name)
        rows.append(row)
    overall: dict[str, Any] = {"estimate": None, "tolerable_rate_met": None}
    if samples and not waiting:
        estimate = stratified_rate(samples, confidence=plan.confidence)
        overall = {
            "estimate": estimate.to_json(),
            "tolerable_rate_met": estimate.upper_one_sided <= plan.tolerable_rate,
            "reading": f"the rate is at most {estimate.upper_one_sided:.2%} at"
            f" {plan.confidence:.0%} (Horvitz-Thompson over {len(samples)} strata)",
        }
        if baseline_violation is not None:
            overall["baseline"] = _compare(estimate.lower, estimate.upper, baseline_violation)
    firsts = [(i.label, i) for i in items if i.label is not None]
    return {
        "period": period,
        "complete": all(r["labelled"] >= r["sample"] for r in rows),
        "strata_waiting": waiting,
        "strata": rows,
        "overall": overall,
        "reviewer_agreement": _kappa(
            [(label, i.second) for label, i in firsts if i.second is not None],
            plan.confidence,
        ),
        "oracle_agreement": _kappa([(label, i.oracle) for label, i in firsts], plan.confidence),
    }


def _compare(low: float, high: float, baseline: tuple[float, float, float]) -> dict[str, Any]:
    rate, base_low, base_high = baseline
    if low > base_high:
        reading = "above"
    elif high < base_low:
        reading = "below"
    else:
        reading = "consistent"
    return {
        "observed_violation": rate,
        "observed_violation_ci": [base_low, base_high],
        "reading": reading,
        "note": "the audit's figure is over discriminating cases; stratify by discriminating"
        " to compare like with like",
    }
