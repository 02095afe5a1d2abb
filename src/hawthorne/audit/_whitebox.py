"""White-box evidence in an audit: open-weight targets' findings, beside their verdicts.

After the behavioural audit, each target whose weights are on this machine (a zoo organism
``hawthorne/NAME``, or ``hf/PATH`` with ``PATH`` a local model directory or a model in the
local Hugging Face cache) gets a white-box audit (:func:`hawthorne.detectors.whitebox_audit`)
on the text suites it was audited on. The findings land in ``whitebox/`` in the run folder: one
JSON file per target and its Markdown rendering beside it, each written atomically.
``hawthorne whitebox`` writes the same files through the same :func:`whitebox_target`.
``hawthorne run`` starts the stage in a child process beside the behavioural audit
(:func:`start_whitebox`): it needs the weights and the suites, not the answers, and in the
audit's process it would wait for the GIL that Inspect's event loop holds. A
resumed run keeps a target's file when it was made with the same plan (:class:`WhiteboxPlan`,
with the suites), and ``hawthorne report`` reads the files back. Like the trace detectors,
white-box findings are evidence beside the verdict and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hawthorne.audit._config import AuditConfig, AuditError
from hawthorne.audit._stages import Notify, kept, load_stage, stage_file, write_stage
from hawthorne.report import render_whitebox, write_atomic
from hawthorne.suites import Suite

if TYPE_CHECKING:
    from hawthorne.detectors import ResidualModel

WHITEBOX_DIR = "whitebox"
"""The run folder's subfolder of white-box findings, one ``<target>.json`` per target."""
RUN_METHODS: tuple[str, ...] = ("cue-noise", "probe")
"""The methods ``hawthorne run`` uses by default: the two that separate the zoo's fakers (see
the README's white-box table), at a few seconds per small model."""
RUN_CASES, RUN_CONTROL_CASES = 8, 16
"""Discriminating and control cases per suite for a run's white-box audit."""


@dataclass(frozen=True)
class WhiteboxPlan:
    """How a target's white-box audit is made: a resumed run keeps a file made to the same plan.

    Attributes:
        methods: Names in :data:`hawthorne.detectors.WHITEBOX_METHODS`.
        cases: Discriminating cases per suite.
        control_cases: Control cases per suite.
        poser: Poser mode: observed-condition prompts only.
        seed: Seed of the cases and of each method.
    """

    methods: tuple[str, ...] = RUN_METHODS
    cases: int = RUN_CASES
    control_cases: int = RUN_CONTROL_CASES
    poser: bool = False
    seed: int = 0

    def record(self, suites: Sequence[Suite]) -> dict[str, Any]:
        """The plan as a target's file stores it, with the suites it is audited on."""
        return {
            "methods": list(self.methods),
            "suites": [s.id for s in suites],
            "seed": self.seed,
            "cases": self.cases,
            "control_cases": self.control_cases,
            "poser": self.poser,
        }


def local_weights(target: str) -> tuple[Path | None, str]:
    """Where a target's weights are on this machine, or why white-box methods cannot run.

    Args:
        target: An Inspect model string.

    Returns:
        ``(directory, "")``, or ``(None, reason)``; the reason is empty for a target that has
        no open weights at all (an API model), so there is nothing to report.
    """
    provider, _, name = target.partition("/")
    if provider == "hawthorne":
        from hawthorne.organisms import ZooError, organism

        try:
            info = organism(name)
        except ZooError:
            return None, ""  # a scripted target or the reference judge: no weights
        if info.kind.agentic:
            return None, "trained on agentic suites only: white-box methods read text decisions"
        return info.path, ""
    if provider == "hf":
        path = Path(name)
        if path.is_dir():
            return path, ""
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(name, local_files_only=True)), ""
        except Exception:  # noqa: BLE001 - any failure means: not in the local cache
            return None, f"the weights of {name} are not on this machine (no download at run time)"
    return None, ""


def _write(file: Path, target: str, plan: Mapping[str, Any], found: Mapping[str, Any]) -> Path:
    """Write a target's findings (``<target>.json``), then their Markdown (``<target>.md``)."""
    write_stage(file, target, plan, found)
    write_atomic(file.with_suffix(".md"), render_whitebox({"target": target, **found}))
    return file


def whitebox_target(
    out_dir: Path,
    target: str,
    weights: Path | ResidualModel,
    suites: Sequence[Suite],
    plan: WhiteboxPlan,
) -> tuple[Path, dict[str, Any]]:
    """Audit one target's weights and write its findings into ``out_dir/whitebox/``.

    Args:
        out_dir: The run folder.
        target: The target as ``hawthorne run`` names it (``hawthorne/faker``, ``hf/PATH``):
            it names the file (``whitebox/hawthorne_faker.json``) and the findings.
        weights: The model directory (or the model, loaded already).
        suites: Text suites to audit on.
        plan: Methods, cases, Poser mode and seed.

    Returns:
        The JSON file written (its Markdown rendering beside it, ``.md``) and the findings.

    Raises:
        WhiteboxError: Bad input (weights that do not load, an unknown method, too many
            cases), before anything is written.
    """
    from hawthorne.detectors import whitebox_audit

    found = whitebox_audit(
        weights,
        suites,
        plan.methods,
        poser=plan.poser,
        cases=plan.cases,
        control_cases=plan.control_cases,
        random_state=plan.seed,
        name=target,
    )
    found["status"] = "ok"
    file = stage_file(out_dir, WHITEBOX_DIR, target)
    return _write(file, target, plan.record(suites), found), found


@dataclass(frozen=True)
class _Todo:
    """A target whose white-box file a run has still to write."""

    model: str
    path: Path | None
    reason: str
    suites: list[Suite]
    record: dict[str, Any]
    file: Path


def _to_audit(config: AuditConfig, out_dir: Path, plan: WhiteboxPlan) -> list[_Todo]:
    """The targets with something to say (weights here, or why not) and no file of this plan."""
    from hawthorne.suites import load_suite

    # Loaded once for every target: each load parses a suite file.
    text_suites = [
        s for s in (load_suite(ref, seed=config.seed) for ref in config.suites) if s.agentic is None
    ]
    todo = []
    for model in config.targets:
        path, reason = local_weights(model)
        if path is None and not reason:
            continue
        wanted = config.suites_for(model)
        suites = [s for s in text_suites if wanted is None or s.id in wanted]
        record, file = plan.record(suites), stage_file(out_dir, WHITEBOX_DIR, model)
        if not kept(file, record):
            todo.append(_Todo(model, path, reason, suites, record, file))
    return todo


def run_whitebox(
    config: AuditConfig,
    out_dir: Path,
    methods: Sequence[str] = RUN_METHODS,
    notify: Notify | None = None,
) -> dict[str, dict[str, Any]]:
    """White-box audits of a run's open-weight targets, into ``out_dir/whitebox/``.

    A target that fails (weights that do not load, no decision tags) gets a file that says so;
    the behavioural results are never lost to it.

    Args:
        config: The run's configuration (targets, suites per target, seed).
        out_dir: The run folder.
        methods: White-box methods to run.
        notify: Told one line per target, before its audit starts.

    Returns:
        Findings per target, as :func:`load_whitebox` reads them back.
    """
    from hawthorne.detectors import WhiteboxError

    plan = WhiteboxPlan(tuple(methods), seed=config.seed)
    for todo in _to_audit(config, out_dir, plan):
        if todo.path is None or not todo.suites:
            why = (
                todo.reason
                or "audited on agentic suites only: white-box methods read text decisions"
            )
            _write(todo.file, todo.model, todo.record, {"status": "not applicable", "reason": why})
            continue
        if notify:
            notify(f"white-box: {todo.model} ({', '.join(methods)})")
        try:
            whitebox_target(out_dir, todo.model, todo.path, todo.suites, plan)
        except (WhiteboxError, OSError, ValueError) as err:
            _write(todo.file, todo.model, todo.record, {"status": "failed", "reason": str(err)})
    return load_whitebox(out_dir)


class BackgroundWhitebox:
    """:func:`run_whitebox` in a child process (``spawn``), started by :func:`start_whitebox`.

    Each target's files are written atomically, so a stage cancelled halfway leaves the targets
    it finished, which a resumed run keeps.
    """

    def __init__(self, config: AuditConfig, out_dir: Path, methods: Sequence[str]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_whitebox_child,
            args=(child, config, out_dir, tuple(methods)),
            name="hawthorne-whitebox",
            daemon=True,
        )
        self._process.start()
        child.close()

    def wait(self) -> dict[str, dict[str, Any]]:
        """Wait for the stage: :func:`run_whitebox`'s result, or the error it raised.

        Raises:
            AuditError: The child died without an answer (the behavioural answers are saved;
                the same command resumes).
        """
        try:
            ok, value = self._conn.recv()
        except EOFError:
            self._process.join()
            raise AuditError(
                f"the white-box process exited (exit code {self._process.exitcode}) before "
                "it finished; run the same command again to resume"
            ) from None
        self._process.join()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the stage (the audit failed; the next run resumes it)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _whitebox_child(conn: Any, config: AuditConfig, out_dir: Path, methods: Sequence[str]) -> None:
    import torch

    # One thread: the audit's process and the engine process keep the other cores busy, and
    # torch's intra-op workers would spin against them.
    torch.set_num_threads(1)
    try:
        conn.send((True, run_whitebox(config, out_dir, methods)))
    except Exception as err:  # noqa: BLE001 - handed to the parent, which raises it
        conn.send((False, err))


def start_whitebox(
    config: AuditConfig,
    out_dir: Path,
    methods: Sequence[str] = RUN_METHODS,
    notify: Notify | None = None,
) -> BackgroundWhitebox:
    """Start :func:`run_whitebox` in a child process, beside the behavioural audit.

    Args:
        config: The run's configuration.
        out_dir: The run folder.
        methods: White-box methods to run.
        notify: Told now, a line per target the child will audit (the child tells nothing).

    Returns:
        The running stage: :meth:`BackgroundWhitebox.wait` for its result.
    """
    if notify:
        plan = WhiteboxPlan(tuple(methods), seed=config.seed)
        for todo in _to_audit(config, out_dir, plan):
            if todo.path is not None and todo.suites:
                notify(f"white-box: {todo.model} ({', '.join(methods)}), beside the audit")
    return BackgroundWhitebox(config, out_dir, methods)


def load_whitebox(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The white-box findings in a run folder, by target (unreadable files are skipped)."""
    return load_stage(out_dir, WHITEBOX_DIR)


def summary_entry(found: Mapping[str, Any]) -> dict[str, Any]:
    """A target's findings as the summary carries them: each method without its full grid."""
    entry = {k: found[k] for k in ("status", "reason", "suites", "poser", "settings") if k in found}
    methods = found.get("methods") or {}
    entry["methods"] = {
        name: {k: v for k, v in f.items() if k != "grid"} for name, f in methods.items()
    }
    return entry


__all__ = [
    "RUN_METHODS",
    "WHITEBOX_DIR",
    "WhiteboxPlan",
    "load_whitebox",
    "local_weights",
    "run_whitebox",
    "summary_entry",
    "whitebox_target",
]
