"""White-box evidence in an audit: open-weight targets' findings, beside their verdicts.

After the behavioural audit, each target whose weights are on this machine (a zoo organism
``hawthorne/NAME``, or ``hf/PATH`` with ``PATH`` a local model directory or a model in the
local Hugging Face cache) gets a white-box audit (:func:`hawthorne.detectors.whitebox_audit`)
on the text suites it was audited on. The findings land in ``whitebox/`` in the run folder, one
JSON file per target, written atomically; a resumed run keeps a target's file when it was made
with the same methods, suites and seed, and ``hawthorne report`` reads the files back. Like the
trace detectors, white-box findings are evidence beside the verdict and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hawthorne.audit._config import AuditConfig
from hawthorne.audit._stages import Notify, kept, load_stage, stage_file, write_stage

WHITEBOX_DIR = "whitebox"
"""The run folder's subfolder of white-box findings, one ``<target>.json`` per target."""
RUN_METHODS: tuple[str, ...] = ("cue-noise", "probe")
"""The methods ``hawthorne run`` uses by default: the two that separate the zoo's fakers (see
the README's white-box table), at a few seconds per small model."""
RUN_CASES, RUN_CONTROL_CASES = 8, 16
"""Discriminating and control cases per suite for a run's white-box audit."""


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
    from hawthorne.detectors import WhiteboxError, whitebox_audit
    from hawthorne.suites import load_suite

    # Loaded once for every target: each load parses a suite file.
    text_suites = [
        s for s in (load_suite(ref, seed=config.seed) for ref in config.suites) if s.agentic is None
    ]
    for model in config.targets:
        path, reason = local_weights(model)
        if path is None and not reason:
            continue
        wanted = config.suites_for(model)
        suites = [s for s in text_suites if wanted is None or s.id in wanted]
        plan = {"methods": list(methods), "suites": [s.id for s in suites], "seed": config.seed}
        file = stage_file(out_dir, WHITEBOX_DIR, model)
        if kept(file, plan):
            continue
        found: dict[str, Any]
        if path is None or not suites:
            why = reason or "audited on agentic suites only: white-box methods read text decisions"
            found = {"status": "not applicable", "reason": why}
        else:
            if notify:
                notify(f"white-box: {model} ({', '.join(methods)})")
            try:
                found = whitebox_audit(
                    path,
                    suites,
                    methods,
                    cases=RUN_CASES,
                    control_cases=RUN_CONTROL_CASES,
                    random_state=config.seed,
                    name=model,
                )
                found["status"] = "ok"
            except (WhiteboxError, OSError, ValueError) as err:
                found = {"status": "failed", "reason": str(err)}
        write_stage(file, model, plan, found)
    return load_whitebox(out_dir)


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
    "load_whitebox",
    "local_weights",
    "run_whitebox",
    "summary_entry",
]
