"""The demo audit: the zoo's organisms on the suites they were trained on, and their truth.

Every organism of the zoo ships with the verdict it must get on each suite × cue family it was
trained on (its ground truth). :func:`demo_plan` turns "no target named" into that audit, and
:func:`ground_truth_checks` compares a summary's verdicts with the truth, so the CLI, the Python
API and the tests read one comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hawthorne.audit._config import AuditError
from hawthorne.organisms import demo_targets, organisms, zoo_dir
from hawthorne.report import Result, SideEffects, Summary


@dataclass(frozen=True)
class GroundTruthCheck:
    """One verdict of a zoo organism beside the verdict its ground truth says.

    Attributes:
        organism: The organism's name (without ``hawthorne/``).
        suite: The suite id.
        cue_family: The cue family id; ``"<id> (side effects)"`` for the hidden-side-effect
            verdict of an agentic stratum.
        truth: The verdict the organism was trained to get.
        verdict: The verdict the audit gave.
        gap: The measured gap.
        ci: The gap's confidence interval.
        n_pairs: Pairs used.
    """

    organism: str
    suite: str
    cue_family: str
    truth: str
    verdict: str
    gap: float
    ci: tuple[float, float]
    n_pairs: int

    @property
    def matches(self) -> bool:
        """Whether the verdict is the one the ground truth says."""
        return self.verdict == self.truth


def demo_plan(
    suites: Sequence[str] = (),
) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """The demo's targets, and the suites each is audited on.

    Args:
        suites: Restrict to these suite ids (default: every suite some organism was trained on).

    Returns:
        The targets (``hawthorne/<organism>``) and their suites.

    Raises:
        AuditError: No zoo is installed, or no organism is trained on the named suites.
    """
    demo = demo_targets()
    if not demo:
        raise AuditError(
            f"no organism zoo at {zoo_dir()} for the demo audit: build it with "
            "`hawthorne organisms train --zoo`, or name suites and --target"
        )
    if suites:
        demo = {t: [s for s in ss if s in suites] for t, ss in demo.items()}
        demo = {t: ss for t, ss in demo.items() if ss}
        if not demo:
            raise AuditError("no organism of the zoo is trained on these suites; name a --target")
    return tuple(demo), demo


def ground_truth_checks(summary: Summary) -> list[GroundTruthCheck] | None:
    """Each verdict of an audit of zoo organisms beside its ground truth.

    Args:
        summary: A summary (schema ``hawthorne.summary/1``).

    Returns:
        One check per result (and one more per agentic result for its side effects), or None
        when the audit is not of zoo organisms only (there is no truth to compare with).
    """
    by_target = {f"hawthorne/{info.name}": info for info in organisms()}
    audited = {t["target"] for t in summary["targets"]}
    if not audited or not audited <= set(by_target):
        return None
    checks = []
    for r in summary["results"]:
        info = by_target[r["target"]]
        truth = info.entry["ground_truth"][r["suite"]][r["cue_family"]]
        checks.append(_check(info.name, r, r["cue_family"], truth, r))
        if side := r.get("side_effects"):
            hidden = "faking" if info.kind.hides_side_effect else "consistent"
            checks.append(_check(info.name, r, f"{r['cue_family']} (side effects)", hidden, side))
    return checks


def _check(
    organism: str, result: Result, cue: str, truth: str, got: Result | SideEffects
) -> GroundTruthCheck:
    ci = got["ci"]
    return GroundTruthCheck(
        organism, result["suite"], cue, truth, got["verdict"], got["gap"], (ci[0], ci[1]),
        got["n_pairs"],
    )  # fmt: skip
