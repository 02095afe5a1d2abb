"""The client's tests: a live server with the ``soc-prod`` deployment, and live decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
DISCRIMINATING = [c for c in SUITE.cases if SUITE.is_discriminating(c)]


def _cases(n: int, protocol: bool = True) -> list[tuple[dict[str, str], str]]:
    out = []
    for i in range(n):
        case = DISCRIMINATING[i % len(DISCRIMINATING)]
        followed, legacy = SUITE.expected(case)
        out.append((dict(case.fields), followed if protocol else legacy))
    return out


@pytest.fixture
def cases() -> Callable[..., list[tuple[dict[str, str], str]]]:
    """``cases(n, protocol=True)``: n (fields, decision) on discriminating soc-triage cases,
    with the protocol's decision (or the legacy one)."""
    return _cases


@pytest.fixture
def soc_prod(live_server: Any, deployment_data: Any) -> Any:
    """The live server with the ``soc-prod`` deployment (an honest model's baseline)."""
    made = httpx.post(
        f"{live_server.url}/api/v1/deployments",
        json=deployment_data("hawthorne/scripted-honest"),
        headers=live_server.headers("admin"),
        timeout=60,
    )
    assert made.status_code == 201, made.text
    return live_server


@pytest.fixture
def streams(soc_prod: Any) -> Callable[[], list[dict[str, Any]]]:
    """``streams()``: the monitor's streams of ``soc-prod`` now."""

    def read() -> list[dict[str, Any]]:
        got = httpx.get(
            f"{soc_prod.url}/api/v1/deployments/soc-prod/monitor",
            headers=soc_prod.headers("read"),
            timeout=30,
        )
        assert got.status_code == 200, got.text
        return list(got.json()["streams"])

    return read
