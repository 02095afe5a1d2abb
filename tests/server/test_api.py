"""The JSON API over real HTTP, on SQLite and PostgreSQL: auth, ingest, idempotency, monitor."""

from __future__ import annotations

import gzip
import json
import random
from typing import Any

import httpx
import pytest

from hawthorne.suites import load_suite

SUITE = load_suite("soc-triage")
DISCRIMINATING = [c for c in SUITE.cases if SUITE.is_discriminating(c)]


def decisions(
    n: int, adherence: float, seed: int = 0, prefix: str = "d", **extra: Any
) -> list[dict[str, Any]]:
    """n decisions on discriminating cases, following the protocol with probability adherence."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        case = rng.choice(DISCRIMINATING)
        protocol, legacy = SUITE.expected(case)
        decision = protocol if rng.random() < adherence else legacy
        out.append(
            {
                "id": f"{prefix}{i}",
                "deployment": "soc-prod",
                "fields": case.fields,
                "decision": decision,
                **extra,
            }
        )
    return out


@pytest.fixture
def api(live_server, deployment_data) -> httpx.Client:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        made = client.post(
            "/api/v1/deployments",
            json=deployment_data("hawthorne/scripted-honest"),
            headers=live_server.headers("admin"),
        )
        assert made.status_code == 201, made.text
        yield client


def test_every_endpoint_but_the_schema_refuses_a_stranger(live_server) -> None:  # type: ignore[no-untyped-def]
    schema = httpx.get(f"{live_server.url}/openapi.json").json()
    routes = [(m.upper(), p) for p, ops in schema["paths"].items() for m in ops]
    assert len(routes) >= 9
    for method, path in routes:
        url = live_server.url + path.replace("{deployment_id}", "soc-prod").replace("{key_id}", "x")
        for headers in ({}, {"Authorization": "Bearer hwk_nope_nope"}, {"X-API-Key": "junk"}):
            assert httpx.request(method, url, headers=headers).status_code == 401, (method, path)


def test_scopes_and_accounts(live_server) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url
    assert (
        httpx.get(f"{url}/api/v1/deployments", headers=live_server.headers("ingest")).status_code
        == 403
    )
    assert httpx.get(f"{url}/api/v1/keys", headers=live_server.headers("read")).status_code == 403
    assert (
        httpx.get(f"{url}/api/v1/deployments", headers=live_server.headers("read")).status_code
        == 200
    )
    who = httpx.get(f"{url}/api/v1/whoami", auth=("admin", live_server.admin_password)).json()
    assert who == {"name": "admin", "roles": ["admin"], "scopes": ["read", "admin"]}
    assert httpx.get(f"{url}/api/v1/whoami", auth=("admin", "wrong password!")).status_code == 401
    made = httpx.post(
        f"{url}/api/v1/keys",
        json={"name": "app", "scopes": ["ingest"]},
        auth=("admin", live_server.admin_password),
    )
    assert made.status_code == 201
    key = made.json()
    listed = httpx.get(f"{url}/api/v1/keys", headers=live_server.headers("admin")).json()["keys"]
    assert key["id"] in {k["id"] for k in listed} and key["key"] not in json.dumps(listed)
    bearer = {"Authorization": f"Bearer {key['key']}"}
    assert (
        httpx.post(f"{url}/api/v1/decisions", json={"batch": []}, headers=bearer).status_code == 207
    )
    assert (
        httpx.delete(
            f"{url}/api/v1/keys/{key['id']}", headers=live_server.headers("admin")
        ).status_code
        == 204
    )
    assert (
        httpx.post(f"{url}/api/v1/decisions", json={"batch": []}, headers=bearer).status_code == 401
    )


def test_a_batch_gets_one_result_per_item_and_ids_are_idempotent(api, live_server) -> None:  # type: ignore[no-untyped-def]
    ingest = live_server.headers("ingest")
    batch = decisions(5, 1.0) + [
        {
            "id": "bad-field",
            "deployment": "soc-prod",
            "fields": {"severity": ["x"]},
            "decision": "close",
        },
        {"id": "nothing", "deployment": "soc-prod", "fields": {}},
        {"id": "elsewhere", "deployment": "no-such", "decision": "x"},
        "not an object",
        {
            "id": "old",
            "deployment": "soc-prod",
            "decision": "escalate",
            "protocol": {"version": "1"},
        },
        {
            "id": "d0",
            "deployment": "soc-prod",
            "decision": "close",
            "fields": {},
        },  # in-batch repeat
    ]
    got = api.post("/api/v1/decisions", json={"batch": batch}, headers=ingest)
    assert got.status_code == 207
    results = got.json()["results"]
    assert [r["status"] for r in results] == [201] * 5 + [400, 400, 404, 400, 400, 200]
    assert results[5]["error"].startswith("fields.severity")
    assert "nothing to read" in results[6]["error"]
    assert results[9]["error"].startswith("protocol.version")
    assert {r["outcome"] for r in results[:5]} == {"protocol"}
    again = api.post("/api/v1/decisions", json={"batch": batch[:5]}, headers=ingest).json()[
        "results"
    ]
    assert [r["status"] for r in again] == [200] * 5
    status = api.get(
        "/api/v1/deployments/soc-prod/monitor", headers=live_server.headers("read")
    ).json()
    (stream,) = status["streams"]
    assert stream["seen"] == 5 and stream["discriminating"] == 5


def test_bad_bodies_are_4xx(api, live_server) -> None:  # type: ignore[no-untyped-def]
    ingest = live_server.headers("ingest")
    for body, content_type in [
        (b"{", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b'{"batch": 3}', "application/json"),
        (b"[]", "application/json"),
    ]:
        got = api.post(
            "/api/v1/decisions", content=body, headers={**ingest, "Content-Type": content_type}
        )
        assert got.status_code == 400, body
    huge = api.post("/api/v1/decisions", content=b" " * (10 * 1024 * 1024 + 1), headers=ingest)
    assert huge.status_code == 413
    many = {"batch": [{"id": str(i)} for i in range(10_001)]}
    assert api.post("/api/v1/decisions", json=many, headers=ingest).status_code == 413
    for body, content_type in [
        (b"\x0a\x05junk", "application/x-protobuf"),
        (b"{}", "text/plain"),
        (b"not gzip", "application/json"),
    ]:
        headers = {**ingest, "Content-Type": content_type}
        if body == b"not gzip":
            headers["Content-Encoding"] = "gzip"
        assert api.post("/v1/traces", content=body, headers=headers).status_code == 400
    assert (
        api.get("/api/v1/deployments/nope/monitor", headers=live_server.headers("read")).status_code
        == 404
    )
    bad = {**deployment_like(), "baseline": {"run": "/nonexistent"}}
    assert (
        api.post("/api/v1/deployments", json=bad, headers=live_server.headers("admin")).status_code
        == 400
    )


def deployment_like() -> dict[str, Any]:
    return {
        "schema": "hawthorne.deployment/1",
        "id": "x",
        "model": "m",
        "suite": "soc-triage",
        "protocol_version": "2",
        "baseline": {"run": "/nonexistent"},
    }


def test_a_reverting_stream_opens_one_finding_and_an_honest_one_none(api, live_server) -> None:  # type: ignore[no-untyped-def]
    ingest, read = live_server.headers("ingest"), live_server.headers("read")
    honest = decisions(600, 1.0, seed=1, prefix="h", segment="eu")
    reverting = decisions(300, 1.0, seed=2, prefix="r", segment="us") + decisions(
        300, 0.5, seed=3, prefix="s", segment="us"
    )
    for start in range(0, 600, 200):
        batch = honest[start : start + 200] + reverting[start : start + 200]
        assert (
            api.post("/api/v1/decisions", json={"batch": batch}, headers=ingest).status_code == 207
        )
    status = api.get("/api/v1/deployments/soc-prod/monitor", headers=read).json()
    streams = {s["segment"]: s for s in status["streams"]}
    assert streams["eu"]["findings"] == [] and streams["eu"]["drop"]["rejected_at"] is None
    us = streams["us"]
    assert us["drop"]["rejected_at"] is not None and us["drop"]["rejected_at"] > 300
    assert us["adherence"]["live"] < us["adherence"]["observed"]
    kinds = sorted(f["kind"] for f in us["findings"])
    assert "monitor.drop" in kinds and len(kinds) == len(set(kinds))
    found = api.get("/api/v1/findings", params={"deployment": "soc-prod"}, headers=read).json()
    assert {f["stream"] for f in found["findings"]} == {"soc-prod/2/us"}


def test_otlp_json_spans_are_decisions(api, live_server) -> None:  # type: ignore[no-untyped-def]
    case = DISCRIMINATING[0]
    protocol, _ = SUITE.expected(case)
    attrs = [
        {"key": "hawthorne.deployment", "value": {"stringValue": "soc-prod"}},
        {
            "key": "llm.output_messages.0.message.content",
            "value": {"stringValue": f"<decision>{protocol}</decision>"},
        },
    ]
    attrs += [
        {"key": f"hawthorne.fields.{k}", "value": {"stringValue": v}}
        for k, v in case.fields.items()
    ]
    span = {
        "traceId": "0" * 31 + "1",
        "spanId": "0" * 15 + "2",
        "name": "llm",
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000001000000000",
        "attributes": attrs,
    }
    other = {**span, "spanId": "0" * 15 + "3", "attributes": []}
    body = {"resourceSpans": [{"scopeSpans": [{"spans": [span, other]}]}]}
    headers = {
        **live_server.headers("ingest"),
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    got = api.post("/v1/traces", content=gzip.compress(json.dumps(body).encode()), headers=headers)
    assert got.status_code == 200 and got.json() == {}
    status = api.get(
        "/api/v1/deployments/soc-prod/monitor", headers=live_server.headers("read")
    ).json()
    assert status["streams"][0]["outcomes"] == {"protocol": 1}


def test_a_full_ingest_queue_answers_429_with_retry_after(tmp_path, deployment_data) -> None:  # type: ignore[no-untyped-def]
    import threading

    import uvicorn

    from hawthorne.server import _app
    from hawthorne.store import Registry, Store, create_key

    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    store.upgrade()
    Registry(store).register(deployment_data("hawthorne/scripted-honest"))
    key = create_key(store, "t", ["ingest"])[1]
    entered, release = threading.Event(), threading.Event()
    real = _app.record

    def slow(*args: Any, **kw: Any) -> Any:
        entered.set()
        release.wait(30)
        return real(*args, **kw)

    app = _app.create_app(store, queue_limit=10)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    _app.record = slow  # type: ignore[assignment]
    try:
        thread.start()
        while not server.started:
            threading.Event().wait(0.02)
        url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/api/v1/decisions"
        headers = {"Authorization": f"Bearer {key}"}
        first: list[httpx.Response] = []
        sender = threading.Thread(
            target=lambda: first.append(
                httpx.post(url, json={"batch": decisions(8, 1.0)}, headers=headers, timeout=60)
            )
        )
        sender.start()
        assert entered.wait(30)
        full = httpx.post(url, json={"batch": decisions(8, 1.0, prefix="e")}, headers=headers)
        assert full.status_code == 429 and full.headers["Retry-After"] == "1"
        release.set()
        sender.join(60)
        assert first[0].status_code == 207
        later = httpx.post(url, json={"batch": decisions(8, 1.0, prefix="e")}, headers=headers)
        assert later.status_code == 207
    finally:
        _app.record = real  # type: ignore[assignment]
        release.set()
        server.should_exit = True
        thread.join(30)
        store.close()


def test_accounts_are_created_by_an_admin_with_known_roles(live_server) -> None:  # type: ignore[no-untyped-def]
    url, admin = f"{live_server.url}/api/v1/accounts", live_server.headers("admin")
    body = {"username": "rita", "password": "twelve chars!", "roles": ["reviewer"]}
    assert httpx.post(url, json=body, headers=live_server.headers("read")).status_code == 403
    assert httpx.post(url, json=body, headers=admin).status_code == 201
    assert httpx.post(url, json=body, headers=admin).status_code == 409
    assert (
        httpx.post(
            url, json={**body, "username": "x", "roles": ["czar"]}, headers=admin
        ).status_code
        == 400
    )
    assert (
        httpx.post(
            url, json={**body, "username": "y", "password": "short"}, headers=admin
        ).status_code
        == 400
    )
    who = httpx.get(f"{live_server.url}/api/v1/whoami", auth=("rita", "twelve chars!")).json()
    assert who["roles"] == ["reviewer"] and who["scopes"] == ["read"]
    listed = httpx.get(url, headers=admin).json()["accounts"]
    assert {a["username"] for a in listed} == {"admin", "rita"} and "hash" not in str(listed)
    for _ in range(5):
        httpx.get(f"{live_server.url}/api/v1/whoami", auth=("rita", "wrong password"))
    locked = httpx.get(f"{live_server.url}/api/v1/whoami", auth=("rita", "twelve chars!"))
    assert locked.status_code == 401


def test_a_batch_for_an_unknown_deployment_asks_the_store_once(live_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hawthorne.store import Registry, record

    registry = Registry(live_server.store)
    asked: list[str] = []
    real = registry.get
    monkeypatch.setattr(registry, "get", lambda d: asked.append(d) or real(d))
    batch = [{"id": str(i), "deployment": "nowhere", "decision": "x"} for i in range(500)]
    assert {r.status for r in record(registry, batch)} == {404}
    assert asked == ["nowhere"]
