"""The shadow worker: sampled decisions asked once, restarts resample nothing, errors logged."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from hawthorne.shadow import ShadowWorker, is_sampled
from hawthorne.store import load_shadow_pairs

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _sampled(start: int, stop: int, rate: float) -> set[str]:
    return {f"d-{i}" for i in range(start, stop) if is_sampled("soc-prod", f"d-{i}", rate)}


def test_each_sampled_decision_is_asked_once_across_passes_and_restarts(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker", shadow={"rate": 0.25})
    put(registry, live_decisions("soc-prod", 40))
    worker = ShadowWorker(registry)
    (run,) = worker.run_once()
    assert run.asked == len(_sampled(0, 40, 0.25)) > 0
    assert worker.run_once()[0].selected == 0
    put(registry, live_decisions("soc-prod", 40, start=40, seed=1))
    restarted = ShadowWorker(registry)  # a new process: it starts after the newest pair
    (run,) = restarted.run_once()
    assert run.asked == len(_sampled(40, 80, 0.25))
    ids = [p.decision_id for p in load_shadow_pairs(registry.store, "soc-prod")]
    assert sorted(ids) == sorted(_sampled(0, 80, 0.25))


def test_a_deployment_that_fails_is_logged_and_the_others_go_on(
    shadow_registry: Any, live_decisions: Any, put: Any, deployment_data: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    registry = shadow_registry("hawthorne/scripted-faker", shadow={"rate": 1.0})
    registry.register(deployment_data("hawthorne/scripted-faker", "bad-cue",
                                      shadow={"rate": 1.0, "cue": "nope"}))  # fmt: skip
    registry.register(deployment_data("hawthorne/scripted-faker", "not-sampled"))
    put(registry, live_decisions("soc-prod", 5))
    with caplog.at_level(logging.WARNING, logger="hawthorne.shadow"):
        runs = ShadowWorker(registry).run_once()
    assert [r.deployment for r in runs] == ["soc-prod"] and runs[0].asked == 5
    assert any("bad-cue" in r.getMessage() and "'nope'" in r.getMessage() for r in caplog.records)


def test_the_thread_starts_asks_and_stops(
    shadow_registry: Any, live_decisions: Any, put: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker", shadow={"rate": 1.0})
    put(registry, live_decisions("soc-prod", 6))
    worker = ShadowWorker(registry, interval=0.1)
    worker.start()
    worker.start()  # idempotent
    try:
        deadline = time.monotonic() + 60
        while len(load_shadow_pairs(registry.store, "soc-prod")) < 6:
            assert time.monotonic() < deadline and worker.running
            time.sleep(0.1)
        put(registry, live_decisions("soc-prod", 3, start=6))
        while len(load_shadow_pairs(registry.store, "soc-prod")) < 9:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        worker.stop()
    assert not worker.running
