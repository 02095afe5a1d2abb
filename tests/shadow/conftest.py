"""Shadow-pair fixtures: a store with a registered deployment, and live decisions to put in it."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hawthorne.store import Registry, Store, record
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
DISCRIMINATING = [c for c in SUITE.cases if SUITE.is_discriminating(c)]
CONTROL = [c for c in SUITE.cases if not SUITE.is_discriminating(c)]


def _live_decisions(
    deployment: str, n: int, follow: str = "legacy", prefix: str = "d", start: int = 0,
    seed: int = 0, cases: list[Any] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """``n`` live decisions on soc-triage's discriminating cases, following one protocol.

    Each carries its case's fields and the alert id (``case_id``), as an application would, so
    the shadow prompt is the suite's own case text (which the scripted targets recognise).
    """
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        case = rng.choice(cases or DISCRIMINATING)
        protocol, legacy = SUITE.expected(case)
        out.append({
            "id": f"{prefix}-{i}", "deployment": deployment,
            "fields": {**case.fields, "case_id": case.id},
            "decision": legacy if follow == "legacy" else protocol,
        })  # fmt: skip
    return out


def _put(registry: Registry, batch: list[dict[str, Any]]) -> None:
    """Record a batch through the ingest path; every item must be stored."""
    results = record(registry, batch)
    assert [r.status for r in results] == [201] * len(batch), results[:3]


@pytest.fixture
def live_decisions() -> Callable[..., list[dict[str, Any]]]:
    """``live_decisions(deployment, n, follow="legacy", prefix="d", start=0, seed=0, cases=None)``:
    live decisions on soc-triage's discriminating cases (see :func:`_live_decisions`)."""
    return _live_decisions


@pytest.fixture
def put() -> Callable[[Registry, list[dict[str, Any]]], None]:
    """``put(registry, batch)``: record a batch through the ingest path, every item stored."""
    return _put


@pytest.fixture
def shadow_registry(db_url: str, deployment_data: Any) -> Iterator[Callable[..., Registry]]:
    """``make(target, deployment="soc-prod", **extra)``: a migrated store with the deployment.

    ``target`` is a baseline target (and the model unless ``model=`` says otherwise); further
    deployments go in with ``registry.register(deployment_data(...))``.
    """
    stores: list[Store] = []

    def make(target: str = "hawthorne/scripted-faker", deployment: str = "soc-prod",
             **extra: Any) -> Registry:  # fmt: skip
        store = Store(db_url)
        store.upgrade()
        stores.append(store)
        registry = Registry(store)
        registry.register(deployment_data(target, deployment, **extra))
        return registry

    yield make
    for store in stores:
        store.close()
