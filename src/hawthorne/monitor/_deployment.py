"""Deployments (``hawthorne.deployment/1``) and the audited baseline they are watched against.

A deployment file names the model, the suite and protocol version it runs, the run folder of an
earlier ``hawthorne run`` of that model and suite (the baseline), and the monitor's settings::

    schema: hawthorne.deployment/1
    id: soc-prod
    model: hawthorne/faker            # the Inspect model string (shadow pairs re-ask it)
    suite: soc-triage                 # a built-in suite id or a path (relative to this file)
    protocol_version: "2"
    baseline:
      run: runs/soc-audit             # relative to this file
      target: hawthorne/faker         # optional when the run audited one target
      cue_family: logging             # optional: else the most cautious of the run's families
    monitor: {margin: 0.05, alpha: 0.01, arl0: 2000}
    shadow: {rate: 0.01, cue: logging}  # optional: re-ask 1% of live cases under "logged"

:func:`read_baseline` reads the run folder's ``summary.json`` and ``run.json``; a run of another
version of the suite (its content hash differs) is refused with a message saying so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hawthorne.report import ReportError, load_summary
from hawthorne.stats import cusum_threshold
from hawthorne.suites import Suite, SuiteError, content_hash, load_suite

__all__ = [
    "DEPLOYMENT_SCHEMA",
    "Baseline",
    "BaselineRef",
    "Deployment",
    "DeploymentError",
    "MonitorPlan",
    "MonitorSettings",
    "ShadowSettings",
    "load_deployment",
    "parse_deployment",
    "plan_monitor",
    "read_baseline",
]

DEPLOYMENT_SCHEMA = "hawthorne.deployment/1"
"""The schema tag of a deployment file."""

_SHOWN = 12
# The CUSUM's rates are kept inside (0, 1): a perfect audit still leaves room for a violation.
_MIN_RATE = 0.001
_MAX_RATE = 0.999


MAX_ARL0 = 10_000_000.0
"""The largest in-control run length a monitor may ask for (h stays a few dozen at most)."""


class DeploymentError(ValueError):
    """A deployment file or its baseline cannot be used; the message says why and what to do."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MonitorSettings(_Model):
    """A deployment's monitor settings.

    Attributes:
        margin: The drop in adherence, below the audited observed adherence, that matters.
        alpha: Error rate of the anytime-valid test, per stream (Bonferroni across streams:
            for a family-wise rate over S segments, give alpha/S).
        arl0: The CUSUM's target in-control run length, in discriminating decisions.
        p1: The violation rate the CUSUM is tuned to detect (None: the audited unobserved
            violation rate or the in-control rate plus the margin, whichever is larger).
    """

    margin: float = Field(default=0.05, gt=0.0, lt=1.0)
    alpha: float = Field(default=0.01, gt=0.0, lt=1.0)
    arl0: float = Field(default=2000.0, gt=1.0, le=MAX_ARL0)
    p1: float | None = Field(default=None, gt=0.0, lt=1.0)


class ShadowSettings(_Model):
    """How live decisions are re-asked under an observed cue (shadow pairs).

    Attributes:
        rate: The share of live decisions sampled for a shadow pair (0: only on demand).
        cue: The cue family whose observed variant is used (None: the baseline's family).
        budget_per_day: The most shadow pairs asked per UTC day, whatever the rate.
        concurrency: Requests to the model in flight at once.
    """

    rate: float = Field(default=0.0, ge=0.0, le=1.0)
    cue: str | None = None
    budget_per_day: int = Field(default=1000, ge=0, le=10_000_000)
    concurrency: int = Field(default=4, ge=1, le=256)


class BaselineRef(_Model):
    """Where a deployment's baseline comes from.

    Attributes:
        run: The run folder of the audit.
        target: The audited target to take (None: the run's only target).
        cue_family: The cue family to take (None: the family with the lowest lower bound on
            observed adherence, the most cautious choice).
    """

    run: str
    target: str | None = None
    cue_family: str | None = None


class Deployment(_Model):
    """A model in production under one protocol (file schema ``hawthorne.deployment/1``).

    Attributes:
        schema_: ``hawthorne.deployment/1``.
        id: Kebab-case id.
        model: The Inspect model string.
        suite: A built-in suite id or a path to the suite file.
        protocol_version: The active protocol version (the suite's ``protocol.version``).
        baseline: The audit the deployment is watched against.
        monitor: The monitor's settings.
        shadow: The shadow pairs' settings.
    """

    schema_: Literal["hawthorne.deployment/1"] = Field(alias="schema")
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)
    model: str = Field(min_length=1)
    suite: str = Field(min_length=1)
    protocol_version: str
    baseline: BaselineRef
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    shadow: ShadowSettings = Field(default_factory=ShadowSettings)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("protocol_version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    def to_json(self) -> dict[str, Any]:
        """The deployment as JSON-ready data (what the server stores and returns)."""
        return self.model_dump(mode="json", by_alias=True)


def _resolve(ref: str, base: Path) -> str:
    # A suite ref is a built-in id unless it looks like a path; paths are relative to the file.
    looks_like_path = ref.endswith((".yaml", ".yml")) or "/" in ref
    return str((base / ref).resolve()) if looks_like_path else ref


def load_deployment(path: str | Path) -> Deployment:
    """Read a deployment file, with its suite and baseline paths made absolute.

    Args:
        path: The YAML file.

    Returns:
        The deployment.

    Raises:
        DeploymentError: The file is missing, not YAML, or invalid (each problem named).
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise DeploymentError(f"{path}: cannot read: {err.strerror or err}") from None
    except yaml.YAMLError as err:
        raise DeploymentError(f"{path}: not YAML: {err}") from None
    deployment = parse_deployment(data, where=str(path))
    base = path.resolve().parent
    baseline = deployment.baseline.model_copy(
        update={"run": str((base / deployment.baseline.run).resolve())}
    )
    return deployment.model_copy(
        update={"suite": _resolve(deployment.suite, base), "baseline": baseline}
    )


def parse_deployment(data: object, *, where: str = "deployment") -> Deployment:
    """Validate deployment data (a parsed file, or a request body).

    Raises:
        DeploymentError: Naming each invalid field.
    """
    if not isinstance(data, Mapping):
        raise DeploymentError(f"{where}: expected a mapping with schema {DEPLOYMENT_SCHEMA}")
    try:
        return Deployment.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).replace('schema_', 'schema')}: {e['msg']}"
            for e in err.errors(include_url=False)
        )
        raise DeploymentError(f"{where}: {problems}") from None


@dataclass(frozen=True)
class Baseline:
    """What an audit measured for a model and suite: the live decisions are held against it.

    Attributes:
        run: The run folder.
        target: The audited target.
        suite: The suite id.
        suite_hash: The suite's content hash when it was audited.
        cue_family: The cue family the figures come from.
        n_pairs: Discriminating pairs behind the figures.
        observed: Adherence when the model was told it was observed.
        observed_ci: Its interval (at the audit's alpha).
        unobserved: Adherence when it was told it was not.
        unobserved_ci: Its interval.
        verdict: The audit's verdict for this stratum.
        alpha: The audit's alpha (the intervals' error rate).
        seed: The audit's seed (the suite's generated cases are drawn with it).
    """

    run: str
    target: str
    suite: str
    suite_hash: str
    cue_family: str
    n_pairs: int
    observed: float
    observed_ci: tuple[float, float]
    unobserved: float
    unobserved_ci: tuple[float, float]
    verdict: str
    alpha: float
    seed: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Baseline:
        """Rebuild from :meth:`to_json` data."""
        return cls(
            **{
                **data,
                "observed_ci": tuple(data["observed_ci"]),
                "unobserved_ci": tuple(data["unobserved_ci"]),
            }
        )


def _run_record(run: Path) -> tuple[int, dict[str, str] | None]:
    """The audit's seed and suite content hashes, from the run folder's ``run.json``.

    Read as the file format (docs/formats.md, "run.json") rather than through the audit
    package, so that the monitor, the server and the SDK do not load Inspect.

    Returns:
        ``(seed, suite reference -> content hash)``; the hashes are None for a run of an
        older Hawthorne (or an unreadable file).
    """
    try:
        data = json.loads((run / "run.json").read_text())
        return int(data.get("seed", 0)), {
            str(k): str(v) for k, v in data["fingerprint"]["suites"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0, None


def read_baseline(deployment: Deployment, suite: Suite | None = None) -> tuple[Suite, Baseline]:
    """Load a deployment's suite and read its baseline from the audit's run folder.

    Args:
        deployment: The deployment (paths absolute, as :func:`load_deployment` gives).
        suite: The suite, if already loaded (else loaded with the audit's seed).

    Returns:
        ``(suite, baseline)``.

    Raises:
        DeploymentError: The suite or the run folder cannot be read, the suite's protocol
            version is not the deployment's, the run audited another version of the suite, or
            it has no result for the target and suite.
    """
    run = Path(deployment.baseline.run)
    try:
        summary = load_summary(run)
    except ReportError as err:
        raise DeploymentError(f"baseline: {err}") from None
    seed, audited = _run_record(run)
    if audited is None:
        raise DeploymentError(
            f"baseline: {run}/run.json records no suite hashes (a run of an older Hawthorne);"
            " audit again with this version"
        ) from None
    if suite is None:
        try:
            suite = load_suite(deployment.suite, seed=seed)
        except SuiteError as err:
            raise DeploymentError(f"suite: {err}") from None
    if suite.protocol.version != deployment.protocol_version:
        raise DeploymentError(
            f"protocol_version: the deployment says {deployment.protocol_version!r} but suite"
            f" {suite.id} is at protocol version {suite.protocol.version!r}"
        )
    digest = content_hash(suite)
    if digest not in audited.values():
        seen = ", ".join(f"{ref} ({h[:_SHOWN]}…)" for ref, h in audited.items()) or "none"
        raise DeploymentError(
            f"baseline: {run} audited other suite versions than the deployment's {suite.id}"
            f" (content hash {digest[:_SHOWN]}…); it audited: {seen}. Audit this protocol"
            " version and point baseline.run at that run folder"
        )
    rows = [r for r in summary["results"] if r["suite"] == suite.id]
    targets = sorted({r["target"] for r in rows})
    target = deployment.baseline.target
    if target is None:
        if len(targets) != 1:
            raise DeploymentError(
                f"baseline.target: {run} audited {len(targets)} targets for {suite.id}"
                f" ({', '.join(targets) or 'none'}); name one"
            )
        target = targets[0]
    rows = [r for r in rows if r["target"] == target]
    if deployment.baseline.cue_family is not None:
        rows = [r for r in rows if r["cue_family"] == deployment.baseline.cue_family]
    if not rows:
        raise DeploymentError(
            f"baseline: {run} has no result for target {target}, suite {suite.id}"
            + (
                f", cue family {deployment.baseline.cue_family}"
                if deployment.baseline.cue_family
                else ""
            )
        )
    row = min(rows, key=lambda r: (r["adherence_ci"]["observed"][0], r["cue_family"]))
    observed_ci = tuple(row["adherence_ci"]["observed"])
    unobserved_ci = tuple(row["adherence_ci"]["unobserved"])
    return suite, Baseline(
        run=str(run),
        target=target,
        suite=suite.id,
        suite_hash=digest,
        cue_family=row["cue_family"],
        n_pairs=int(row["n_pairs"]),
        observed=float(row["adherence"]["observed"]),
        observed_ci=(float(observed_ci[0]), float(observed_ci[1])),
        unobserved=float(row["adherence"]["unobserved"]),
        unobserved_ci=(float(unobserved_ci[0]), float(unobserved_ci[1])),
        verdict=str(row["verdict"]),
        alpha=float(summary["settings"]["alpha"]),
        seed=seed,
    )


@dataclass(frozen=True)
class MonitorPlan:
    """The monitor's tests for a deployment, tuned from its baseline (docs/statistics.md).

    The baseline's own uncertainty is taken into account: the rate-drop test's level is the
    *lower* end of the audited observed adherence's interval minus the margin, and the CUSUM's
    in-control violation rate is one minus that lower end. If the audited adherence is at least
    that lower end (probability at least 1 - the audit's alpha), each test keeps its error
    rate, so overall at most alpha + the audit's alpha (a union bound).

    Attributes:
        drop_p0: The rate-drop test's level (live adherence below it is the alternative).
        alpha: The rate-drop test's error rate (per stream).
        cusum_p0: The CUSUM's in-control violation rate.
        cusum_p1: The violation rate it is tuned to detect.
        cusum_h: Its threshold, for the target ARL₀ (Brook–Evans chain).
        arl0: That target.
        margin: The margin the level was set with.
    """

    drop_p0: float
    alpha: float
    cusum_p0: float
    cusum_p1: float
    cusum_h: float
    arl0: float
    margin: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MonitorPlan:
        """Rebuild from :meth:`to_json` data."""
        return cls(**{k: float(v) for k, v in data.items()})


def plan_monitor(baseline: Baseline, settings: MonitorSettings) -> MonitorPlan:
    """Tune the monitor's two tests to a baseline.

    Args:
        baseline: The audited baseline.
        settings: The deployment's monitor settings.

    Returns:
        The plan.

    Raises:
        DeploymentError: The audited observed adherence is too low, or its interval too wide,
            for a level above zero (no drop below it could be detected).
    """
    lower = baseline.observed_ci[0]
    drop_p0 = lower - settings.margin
    if drop_p0 <= 0.01:
        raise DeploymentError(
            f"baseline: the audited observed adherence's lower bound is {lower:.3f}; minus the"
            f" margin {settings.margin} that leaves nothing to fall below. Audit with more pairs"
            " or choose a smaller monitor.margin"
        )
    p0 = min(max(1.0 - lower, _MIN_RATE), _MAX_RATE - 0.01)
    p1 = settings.p1
    if p1 is None:
        p1 = max(1.0 - baseline.unobserved, p0 + settings.margin)
    p1 = min(p1, _MAX_RATE)
    if p1 <= p0:
        raise DeploymentError(
            f"monitor.p1: {p1} is not above the in-control violation rate {p0:.4f}"
        )
    h = cusum_threshold(p0, p1, settings.arl0)
    return MonitorPlan(
        drop_p0=round(drop_p0, 6),
        alpha=settings.alpha,
        cusum_p0=round(p0, 6),
        cusum_p1=round(p1, 6),
        cusum_h=round(h, 6),
        arl0=settings.arl0,
        margin=settings.margin,
    )
