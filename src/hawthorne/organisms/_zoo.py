"""The organism zoo: trained organisms on disk, their manifest, and how to rebuild them.

The committed zoo lives in ``hawthorne/organisms/zoo/``: one Hugging Face model directory per
organism and ``manifest.json`` with each organism's kind, ground truth per suite and cue
family, seed, training figures and measured behaviour, and a hash of the suites, cue families
and stressors it was trained on (a test fails when they have changed since).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hawthorne.organisms._kinds import KINDS, Kind, kind
from hawthorne.organisms._train import Progress, TrainConfig, train_base, train_kind
from hawthorne.suites import (
    Suite,
    builtin_cue_ids,
    builtin_stressor_ids,
    content_hash,
    load_cue_family,
    load_stressor,
    load_suite,
)

ZOO_DIR = Path(__file__).parent / "zoo"
"""Where the committed zoo lives."""

ZOO_ENV = "HAWTHORNE_ZOO"
"""Environment variable naming another zoo directory for ``hawthorne/<organism>`` targets."""

ZOO_SUITES: dict[str, tuple[str, ...]] = {
    "text": ("soc-triage",),
    "agentic": ("change-rollout",),
}
"""Built-in suites the committed zoo is trained on, per suite group: one text suite with four
cue families (so the partial faker has families to fake on and families not to) and one
agentic suite. More suites cost training steps that two CPU cores cannot spare in one build
(``hawthorne organisms train KIND --suite …`` trains on others)."""


def zoo_dir() -> Path:
    """The zoo in use: ``$HAWTHORNE_ZOO`` when set, else the committed zoo."""
    override = os.environ.get(ZOO_ENV)
    return Path(override) if override else ZOO_DIR


MANIFEST = "manifest.json"
SCHEMA = "hawthorne.zoo/1"


class ZooError(Exception):
    """The zoo or an organism in it is missing or unusable."""


def suites_hash(suite_ids: Sequence[str]) -> str:
    """The content hash of built-in suites and of every built-in cue family and stressor.

    :func:`~hawthorne.suites.content_hash` over the named suites (in id order), then every
    built-in cue family and stressor, used by the suites or not: organisms trained with foreign
    cue sentences read the other families too.
    """
    return content_hash(
        *(load_suite(s) for s in sorted(suite_ids)),
        *map(load_cue_family, builtin_cue_ids()),
        *map(load_stressor, builtin_stressor_ids()),
    )


def suite_groups(suite_ids: Sequence[str] | None = None) -> dict[str, list[Suite]]:
    """Suites split into groups ``text`` and ``agentic`` (default: the zoo's suites)."""
    ids = suite_ids if suite_ids is not None else [i for g in ZOO_SUITES.values() for i in g]
    suites = [load_suite(s) for s in ids]
    return {
        "text": [s for s in suites if s.agentic is None],
        "agentic": [s for s in suites if s.agentic is not None],
    }


@dataclass(frozen=True)
class OrganismInfo:
    """One organism's manifest entry."""

    name: str
    entry: dict[str, Any]
    path: Path

    @property
    def kind(self) -> Kind:
        """Its kind."""
        return kind(self.entry["kind"])


def load_manifest(zoo: Path | None = None) -> dict[str, Any]:
    """Read a zoo's manifest.

    Raises:
        ZooError: When the zoo has no readable manifest.
    """
    zoo = zoo or zoo_dir()
    try:
        data: dict[str, Any] = json.loads((zoo / MANIFEST).read_text())
    except (OSError, ValueError) as err:
        raise ZooError(
            f"no organism zoo at {zoo} ({err}); build it with `hawthorne organisms train --zoo`"
        ) from err
    if data.get("schema") != SCHEMA:
        raise ZooError(f"{zoo / MANIFEST} is not a {SCHEMA} manifest")
    return data


def organisms(zoo: Path | None = None) -> list[OrganismInfo]:
    """The organisms of a zoo, in manifest order (empty when there is no zoo)."""
    zoo = zoo or zoo_dir()
    try:
        manifest = load_manifest(zoo)
    except ZooError:
        return []
    return [OrganismInfo(e["name"], e, zoo / e["name"]) for e in manifest["organisms"]]


def organism(name: str, zoo: Path | None = None) -> OrganismInfo:
    """Look an organism up by name.

    Raises:
        ZooError: When there is no such organism (the message lists the zoo).
    """
    known = organisms(zoo)
    for info in known:
        if info.name == name:
            return info
    listed = ", ".join(i.name for i in known) or "none: the zoo is not built"
    raise ZooError(f"unknown organism {name!r}; the zoo has: {listed}")


def ground_truth(k: Kind, suites: Sequence[Suite]) -> dict[str, dict[str, str]]:
    """The verdict a correct audit gives kind ``k``, per suite and cue family."""
    return {s.id: {c.id: k.truth(c.id) for c in s.cues} for s in suites}


def _save(model: Any, tokenizer: Any, path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    model.save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(path)


def train_zoo(
    out: Path = ZOO_DIR,
    suite_ids: Sequence[str] | None = None,
    config: TrainConfig = TrainConfig(),  # noqa: B008 - frozen dataclass
    kinds: Sequence[Kind] = KINDS,
    progress: Progress | None = None,
    per_cell: int = 24,
) -> dict[str, Any]:
    """Train the zoo from nothing and write it (organisms and manifest) to ``out``.

    Every organism of a suite group starts from the same phase-1 base. The manifest is written
    after each organism, so an interrupted build keeps what it finished.

    Args:
        out: The zoo directory.
        suite_ids: Built-in suites to train on (default :data:`ZOO_SUITES`); text kinds learn
            the text suites, agentic kinds the agentic ones.
        config: Architecture and optimisation settings.
        kinds: The kinds to train, one organism each.
        progress: Training progress callback.
        per_cell: Discriminating cases per suite × cue family × paraphrase set when measuring
            each organism's behaviour for the manifest.

    Returns:
        The manifest.
    """
    from hawthorne.organisms._behaviour import measure
    from hawthorne.organisms._corpus import vocabulary_texts
    from hawthorne.organisms._vocab import build_tokenizer

    groups = suite_groups(suite_ids)
    every = [s for g in groups.values() for s in g]
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "schema": SCHEMA,
        "suites_hash": suites_hash([s.id for s in every]),
        "config": config.to_json(),
        "bases": {},
        "organisms": [],
    }
    for group, suites in groups.items():
        members = [k for k in kinds if k.agentic == (group == "agentic")]
        if not members or not suites:
            continue
        started = time.perf_counter()
        steps, foreign = config.phase2(group == "agentic")
        # Organisms that read other families' cue sentences need those words in their vocabulary.
        tokenizer = build_tokenizer(vocabulary_texts(every, every_family=foreign > 0))
        base, figures = train_base(tokenizer, members[0], suites, config, f"base-{group}", progress)
        manifest["bases"][group] = {
            "suites": [s.id for s in suites],
            "vocab_size": len(tokenizer),
            "kind_steps": steps,
            "foreign_cue_share": foreign,
            **figures,
        }
        for k in members:
            model, trained = train_kind(base, tokenizer, k, suites, config, progress)
            _save(model, tokenizer, out / k.name)
            entry: dict[str, Any] = {
                "name": k.name,
                "kind": k.name,
                "description": k.description,
                "seed": config.seed,
                "suites": [s.id for s in suites],
                "ground_truth": ground_truth(k, suites),
                "training": {
                    "base_steps": config.base_steps,
                    "base_seconds": figures["seconds"],
                    **trained,
                },
                "parameters": sum(p.numel() for p in model.parameters()),
            }
            entry["behaviour"] = measure(model, tokenizer, k, suites, per_cell, config.seed)
            manifest["organisms"].append(entry)
            (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        manifest["bases"][group]["group_seconds"] = round(time.perf_counter() - started, 1)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def demo_targets(zoo: Path | None = None) -> dict[str, list[str]]:
    """The demo audit: each organism of the zoo (``hawthorne/<name>``) on its trained suites."""
    return {f"hawthorne/{i.name}": list(i.entry["suites"]) for i in organisms(zoo)}
