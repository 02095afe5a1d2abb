"""Overrides, review plans, the queue and estimates over real HTTP, through the SDK and the CLI."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from hawthorne.cli import main
from hawthorne.client import Client, ServerError
from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
DISCRIMINATING = [c for c in SUITE.cases if SUITE.is_discriminating(c)]
PASSWORD = "a long enough password"
DAY = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)


@pytest.fixture
def oversight(live_server: Any, deployment_data: Any) -> Any:
    """A deployment with 120 decisions yesterday, and accounts for each role."""
    admin = live_server.headers("admin")
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        made = http.post("/api/v1/deployments", json=deployment_data("hawthorne/scripted-honest"),
                         headers=admin)  # fmt: skip
        assert made.status_code == 201, made.text
        for name, roles in (("ann", ["reviewer"]), ("bob", ["reviewer"]),
                            ("vic", ["viewer"]), ("aud", ["auditor"])):  # fmt: skip
            body = {"username": name, "password": PASSWORD, "roles": roles}
            assert http.post("/api/v1/accounts", json=body, headers=admin).status_code == 201
    rng = random.Random(1)
    with Client(live_server.url, live_server.keys["ingest"]) as client:
        for i in range(120):
            case = rng.choice(DISCRIMINATING)
            protocol, legacy = SUITE.expected(case)
            client.record("soc-prod", fields=case.fields, id=f"d{i}",
                          decision=protocol if rng.random() < 0.9 else legacy,
                          time=DAY + timedelta(seconds=i))  # fmt: skip
    return live_server


def test_roles_decide_who_may_plan_review_and_read(oversight: Any) -> None:
    url = oversight.url
    plan = {"id": "daily", "deployment": "soc-prod", "double_review": 0.0}
    assert httpx.post(f"{url}/api/v1/reviews/plans", json=plan,
                      auth=("aud", PASSWORD)).status_code == 403  # fmt: skip
    made = httpx.post(f"{url}/api/v1/reviews/plans", json=plan,
                      headers=oversight.headers("admin"))  # fmt: skip
    assert made.status_code == 201 and made.json()["sample_size"] == 59
    again = httpx.post(f"{url}/api/v1/reviews/plans", json=plan, headers=oversight.headers("admin"))
    assert again.status_code == 409
    bad = httpx.post(f"{url}/api/v1/reviews/plans", json={**plan, "strata": ["colour"]},
                     headers=oversight.headers("admin"))  # fmt: skip
    assert bad.status_code == 400 and "unknown strata" in bad.text
    # Keys and non-reviewers are never handed work.
    for auth in ({"headers": oversight.headers("admin")}, {"auth": ("vic", PASSWORD)},
                 {"auth": ("aud", PASSWORD)}):  # fmt: skip
        assert httpx.get(f"{url}/api/v1/reviews/next", **auth).status_code == 403
    item = httpx.get(f"{url}/api/v1/reviews/next", auth=("ann", PASSWORD)).json()["item"]
    assert item["plan"] == "daily" and item["protocol"]["rules"]
    label = {"label": "followed-protocol", "note": "fine"}
    path = f"{url}/api/v1/reviews/items/{item['item']}/label"
    assert httpx.post(path, json=label, auth=("bob", PASSWORD)).status_code == 409
    assert httpx.post(path, json={"label": "meh"}, auth=("ann", PASSWORD)).status_code == 400
    assert httpx.post(path, json=label, auth=("ann", PASSWORD)).status_code == 200
    estimate = httpx.get(f"{url}/api/v1/reviews/plans/daily/estimate", auth=("aud", PASSWORD))
    assert estimate.status_code == 200
    (period,) = estimate.json()["periods"]
    assert period["strata"][0]["labelled"] == 1 and not period["complete"]
    actions = httpx.get(f"{url}/api/v1/actions", auth=("aud", PASSWORD)).json()["actions"]
    assert [a["action"] for a in actions][:3] == ["review.label", "review.lock", "review.draw"]
    assert actions[0]["actor"] == "ann"
    everything = httpx.get(f"{url}/api/v1/actions?limit=1000", auth=("aud", PASSWORD)).json()
    done = {(a["action"], a["actor"].split(":")[0]) for a in everything["actions"]}
    assert {("deployment.register", "key"), ("account.create", "key"), ("key.create", "hawthorne"),
            ("review.plan", "key")} <= done  # fmt: skip


def test_overrides_through_the_sdk_and_who_may_send_them(oversight: Any) -> None:
    with Client(oversight.url, oversight.keys["ingest"]) as client:
        shown = client.override("soc-prod", "d3", "suppress", by="dave", reason="false-positive")
        assert shown["by"] == "dave" and shown["final_decision"] == "suppress"
        with pytest.raises(ServerError, match="already overridden"):
            client.override("soc-prod", "d3", "escalate", by="dave", reason="x")
        with pytest.raises(ServerError, match="no decision"):
            client.override("soc-prod", "nope", "escalate", by="dave", reason="x")
    url = f"{oversight.url}/api/v1/overrides"
    body = {"deployment": "soc-prod", "decision_id": "d4", "final_decision": "escalate",
            "reason": "x"}  # fmt: skip
    # A key must name the person; an account records its own overrides only.
    assert httpx.post(url, json=body, headers=oversight.headers("ingest")).status_code == 400
    assert httpx.post(url, json={**body, "by": "bob"}, auth=("ann", PASSWORD)).status_code == 400
    assert httpx.post(url, json=body, auth=("vic", PASSWORD)).status_code == 403
    mine = httpx.post(url, json=body, auth=("ann", PASSWORD))
    assert mine.status_code == 201 and mine.json()["by"] == "ann"
    status = httpx.get(f"{oversight.url}/api/v1/deployments/soc-prod/overrides",
                       headers=oversight.headers("read")).json()  # fmt: skip
    (stream,) = status["streams"]
    assert stream["decisions"] == 120 and stream["overrides"] == 2


def test_the_review_commands_plan_take_label_and_estimate(oversight: Any) -> None:
    runner = CliRunner()
    admin = ["--server", oversight.url, "--api-key", oversight.keys["admin"]]
    ann = ["--server", oversight.url, "--user", "ann"]
    env = {"HAWTHORNE_PASSWORD": PASSWORD}
    planned = runner.invoke(main, ["review", "plan", "soc-prod", "--tolerable-rate", "0.05",
                                   "--double-review", "0", *admin])  # fmt: skip
    assert planned.exit_code == 0, planned.output
    assert "59 decisions per stratum and day" in planned.output
    taken = runner.invoke(main, ["review", "next", *ann], env=env)
    assert taken.exit_code == 0, taken.output
    assert "protocol rules:" in taken.output and "oracle:" in taken.output
    item = taken.output.split("item ")[1].split()[0]
    labelled = runner.invoke(main, ["review", "label", item, "legacy", "--note", "old", *ann],
                             env=env)  # fmt: skip
    assert labelled.exit_code == 0, labelled.output
    assert f"item {item}: legacy" in labelled.output
    refused = runner.invoke(main, ["review", "label", item, "legacy", *ann], env=env)
    assert refused.exit_code != 0 and "lock" in refused.output
    estimate = runner.invoke(main, ["review", "estimate", "soc-prod", *admin])
    assert estimate.exit_code == 0, estimate.output
    assert "soc-prod-day" in estimate.output and "Horvitz" in estimate.output
    overrides = runner.invoke(main, ["overrides", "status", "soc-prod", *admin])
    assert overrides.exit_code == 0 and "baselining" in overrides.output


def test_the_shadow_status_is_served(oversight: Any) -> None:
    url = f"{oversight.url}/api/v1/deployments/soc-prod/shadow"
    status = httpx.get(url, headers=oversight.headers("read"))
    assert status.status_code == 200, status.text
    assert "soc-prod" in status.text
    missing = httpx.get(url.replace("soc-prod", "nope"), headers=oversight.headers("read"))
    assert missing.status_code == 404
