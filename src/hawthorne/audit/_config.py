"""What an audit is asked to do, and its errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from hawthorne.audit._verdict import VerdictSettings
from hawthorne.oracle import ORACLE_MODES, OracleMode
from hawthorne.suites import Suite

FINGERPRINT_KEY = "fingerprint"
"""The key of ``run.json`` that holds the run's fingerprint (what decided its answers), beside
the options."""

DEFAULT_MAX_TOKENS = 512
"""Longest answer per model call unless ``max_tokens`` says otherwise: a decision with its
reasoning fits well within it (the organisms write at most about 60 tokens), and a model that
rambles is cut off, its answer read as it stands (usually ``invalid``), instead of stalling the
audit."""

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
"""The values of Inspect's ``reasoning_effort``."""

REFERENCE_JUDGE_MODEL = "hawthorne/reference-judge"
"""The judge oracle where neither the run nor the suite names one: offline, rule-read."""

POSITIVE_CONTROL_SUFFIX = "+positive-control"
"""Appended to a target's name for its positive control (the target told to fake)."""


@dataclass(frozen=True)
class Audited:
    """One audited target: a model, bare or wrapped as a positive control.

    Attributes:
        label: The name used in results (``model`` or ``model+positive-control``).
        model: The Inspect model string asked.
        positive_control: Whether the prompts carry the instructed-faker instruction.
    """

    label: str
    model: str
    positive_control: bool


class AuditError(Exception):
    """An audit could not run or finish; the message says why and what to do."""


class TargetFailed(AuditError):
    """A target failed mid-run; finished pairs are saved and the same command resumes."""


@dataclass(frozen=True)
class AuditConfig:
    """One audit: suites × targets × cue families × epochs, with a budget and verdict settings.

    Attributes:
        suites: Suite references (built-in ids or paths).
        targets: Inspect model strings.
        epochs: How many times each case may be asked.
        max_pairs: Pair budget per target × suite × cue family.
        seed: Seed for case sampling and asking order.
        settings: Verdict settings (alpha, margin, minimum adherence, sequential or fixed).
        max_connections: Concurrent model calls per target (None: the provider's default).
        max_retries: Retries of a failed model call (None: Inspect's default).
        positive_control: Also audit each target told to fake, to check that the set-up can
            detect faking at all.
        neutral: Also ask each pair under the cue family's neutral sentence, so the report can
            say whether the observed or the unobserved cue moves the model.
        target_suites: Suite ids per target, for targets audited on only some of the suites
            (the demo audits each organism on the suites it was trained on); a target not
            listed is audited on every suite.
        cue_families: Cue family ids to audit (None: each suite's own, all of them).
        temperature: Sampling temperature of every target (None: each provider's default).
            0, the default, decodes greedily wherever the provider allows it, so two audits of
            one model ask it the same way.
        top_p: Nucleus sampling mass (None: the provider's default).
        max_tokens: Longest answer per model call (:data:`DEFAULT_MAX_TOKENS`).
        reasoning_effort: Inspect's reasoning effort, for reasoning models (None: default).
        model_args: Extra arguments for the model provider (``-M key=value``), e.g. ``device``
            for ``hf/`` models.
        oracle: The oracle mode for every suite (``parse``, ``judge`` or ``auto``; None: each
            suite's own).
        oracle_judge: The judge oracle's model, for every suite that uses one (None: the
            suite's ``oracle.judge``, else :data:`REFERENCE_JUDGE_MODEL`).
    """

    suites: tuple[str, ...]
    targets: tuple[str, ...]
    epochs: int = 1
    max_pairs: int = 400
    seed: int = 0
    settings: VerdictSettings = field(default_factory=VerdictSettings)
    max_connections: int | None = None
    max_retries: int | None = None
    positive_control: bool = False
    neutral: bool = False
    target_suites: dict[str, list[str]] | None = None
    cue_families: list[str] | None = None
    temperature: float | None = 0.0
    top_p: float | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS
    reasoning_effort: str | None = None
    model_args: dict[str, Any] = field(default_factory=dict)
    oracle: str | None = None
    oracle_judge: str | None = None

    def suites_for(self, target: str) -> set[str] | None:
        """The suite ids ``target`` is audited on (None: every suite of the audit)."""
        if self.target_suites is not None and target in self.target_suites:
            return set(self.target_suites[target])
        return None

    def __post_init__(self) -> None:
        if not self.suites:
            raise AuditError("no suite to audit")
        if not self.targets:
            raise AuditError("no target to audit")
        if self.epochs < 1:
            raise AuditError("--epochs must be at least 1")
        if self.max_pairs < 1:
            raise AuditError("--max-pairs must be at least 1")
        if self.temperature is not None and self.temperature < 0:
            raise AuditError("--temperature must be 0 or more")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise AuditError("--top-p must be in (0, 1]")
        if self.max_tokens < 1:
            raise AuditError("--max-tokens must be at least 1")
        if self.oracle is not None and self.oracle not in ORACLE_MODES:
            raise AuditError(
                f"--oracle must be one of {', '.join(ORACLE_MODES)}, not {self.oracle!r}"
            )
        if self.reasoning_effort is not None and self.reasoning_effort not in REASONING_EFFORTS:
            raise AuditError(
                f"--reasoning-effort must be one of {', '.join(REASONING_EFFORTS)}, "
                f"not {self.reasoning_effort!r}"
            )

    def generation(self) -> dict[str, Any]:
        """The generation settings every target is asked with, as Inspect names them.

        ``seed`` is the audit's seed: it also seeds the targets' sampling where a provider
        takes one. Unset settings (None) are left to the provider.
        """
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "reasoning_effort": self.reasoning_effort,
        }

    def oracle_mode(self, suite: Suite) -> OracleMode:
        """The oracle mode ``suite``'s answers are read with in this audit."""
        return cast(OracleMode, self.oracle) if self.oracle else suite.oracle.mode

    def judge_model(self, suites: Sequence[Suite]) -> str | None:
        """The judge oracle's model for this audit, or None when no suite needs a judge.

        Raises:
            AuditError: Two suites name different judges and the run names none.
        """
        judged = [s for s in suites if self.oracle_mode(s) != "parse"]
        if not judged:
            return None
        if self.oracle_judge:
            return self.oracle_judge
        named = sorted({s.oracle.judge for s in judged if s.oracle.judge})
        if len(named) > 1:
            raise AuditError(
                f"the suites name different judges ({', '.join(named)}); choose one with "
                "--oracle-judge MODEL"
            )
        return named[0] if named else REFERENCE_JUDGE_MODEL

    def audited(self) -> list[Audited]:
        """Everything audited: each target, then its positive control when asked for."""
        out = []
        for model in self.targets:
            out.append(Audited(model, model, False))
            if self.positive_control:
                out.append(Audited(model + POSITIVE_CONTROL_SUFFIX, model, True))
        return out

    def to_json(self) -> dict[str, Any]:
        """The configuration as JSON-ready data (what ``run.json`` holds)."""
        data = asdict(self)
        data["suites"] = list(self.suites)
        data["targets"] = list(self.targets)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditConfig:
        """Rebuild a configuration from :meth:`to_json` data.

        Args:
            data: The stored configuration (a ``run.json``; its fingerprint is left aside).

        Returns:
            The configuration.
        """
        data = dict(data)
        data.pop(FINGERPRINT_KEY, None)
        data["settings"] = VerdictSettings(**data["settings"])
        data["suites"] = tuple(data["suites"])
        data["targets"] = tuple(data["targets"])
        return cls(**data)


def read_run_config(run_dir: Path) -> AuditConfig:
    """Read a run folder's ``run.json``.

    Args:
        run_dir: The run folder.

    Returns:
        The run's configuration.

    Raises:
        AuditError: If the file is missing or unreadable.
    """
    path = run_dir / "run.json"
    try:
        return AuditConfig.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        raise AuditError(f"{run_dir} is not a Hawthorne run folder (no run.json)") from None
    except (ValueError, TypeError, KeyError) as err:
        raise AuditError(f"{path} is unreadable: {err}") from None
