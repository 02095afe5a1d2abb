"""The SDK's client against the real server (SQLite and PostgreSQL): batching, retries with the
same ids, back-pressure, auth, refused items, and single API calls."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from time import monotonic, sleep
from typing import Any

import httpx
import pytest

from hawthorne.client import AuthError, BufferFull, Client, ServerError


class Forwarding(httpx.HTTPTransport):
    """A real transport that notes each batch's ids and can fail on the way.

    Args:
        drop: Answers to lose after the server has committed them (a ``ReadError`` instead).
        answers: Canned ``(status, headers)`` answers for the first requests, before any reach
            the server.
    """

    def __init__(self, drop: int = 0, answers: tuple[tuple[int, dict[str, str]], ...] = ()) -> None:
        super().__init__()
        self.drop, self.answers = drop, list(answers)
        self.batches: list[list[str]] = []
        self.times: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/decisions":
            self.batches.append([d["id"] for d in json.loads(request.read())["batch"]])
            self.times.append(monotonic())
        if self.answers:
            status, headers = self.answers.pop(0)
            return httpx.Response(status, headers=headers, json={"detail": "not now"})
        response = super().handle_request(request)
        if self.drop:
            self.drop -= 1
            response.read()
            response.close()
            raise httpx.ReadError("the connection dropped", request=request)
        return response


def accepting(seen: list[list[dict[str, Any]]]) -> httpx.MockTransport:
    """A stand-in server that stores nothing and answers 201 for every item."""

    def handle(request: httpx.Request) -> httpx.Response:
        batch = json.loads(request.read())["batch"]
        seen.append(batch)
        return httpx.Response(
            207, json={"results": [{"id": d["id"], "status": 201} for d in batch]}
        )

    return httpx.MockTransport(handle)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def clients() -> Iterator[Callable[..., Client]]:
    """``clients(...)``: a Client made with these arguments, closed (errors ignored) at the end."""
    made: list[Client] = []

    def make(*args: Any, **kwargs: Any) -> Client:
        client = Client(*args, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        try:
            client.close(timeout=2)
        except Exception:
            pass


def senders() -> list[threading.Thread]:
    """The client sender threads alive now."""
    return [t for t in threading.enumerate() if t.name == "hawthorne-client" and t.is_alive()]


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = monotonic() + seconds
    while not condition():
        assert monotonic() < deadline, "timed out"
        sleep(0.01)


def test_the_background_thread_delivers_every_decision_exactly_once(
    soc_prod, streams, cases, clients
) -> None:  # type: ignore[no-untyped-def]
    transport = Forwarding()
    client = clients(
        soc_prod.url, soc_prod.keys["ingest"], batch_size=7, flush_interval=0.05,
        transport=transport,
    )  # fmt: skip
    recorded: list[str] = []
    lock = threading.Lock()

    def app(n: int) -> None:
        for fields, decision in cases(25):
            got = client.record(
                "soc-prod", fields=fields, decision=decision, id=f"t{n}-{uuid.uuid4()}"
            )
            with lock:
                recorded.append(got)

    threads = [threading.Thread(target=app, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until(lambda: client.sent == 100)  # no flush(): the background thread sent them
    assert client.pending == 0 and client.rejected == []
    assert max(len(b) for b in transport.batches) <= 7
    sent = [i for b in transport.batches for i in b]
    assert sorted(sent) == sorted(recorded)  # each once: no batch was sent twice
    (stream,) = streams()
    assert stream["seen"] == 100 and stream["outcomes"] == {"protocol": 100}


def test_a_full_batch_goes_at_once_and_flush_sends_the_rest(
    soc_prod, streams, cases, clients
) -> None:  # type: ignore[no-untyped-def]
    transport = Forwarding()
    client = clients(
        soc_prod.url, soc_prod.keys["ingest"], batch_size=10, flush_interval=60, transport=transport
    )
    for fields, decision in cases(23):
        client.record("soc-prod", fields=fields, decision=decision)
    wait_until(lambda: client.sent == 20)
    assert client.pending == 3
    client.flush()
    assert client.sent == 23 and [len(b) for b in transport.batches] == [10, 10, 3]
    assert streams()[0]["seen"] == 23


def test_a_dropped_answer_is_retried_with_the_same_ids_and_counted_once(
    soc_prod, streams, cases, clients
) -> None:  # type: ignore[no-untyped-def]
    transport = Forwarding(drop=1)
    client = clients(
        soc_prod.url, soc_prod.keys["ingest"], flush_interval=60, backoff=0.01, transport=transport
    )
    ids = [client.record("soc-prod", fields=f, decision=d) for f, d in cases(20)]
    client.flush(timeout=10)
    assert transport.batches == [ids, ids]  # the server committed the first: resent as is
    assert client.sent == 20 and client.rejected == []
    (stream,) = streams()
    assert stream["seen"] == 20  # the resend was 20 duplicates, not 20 more decisions


def test_429_and_503_are_retried_after_retry_after(soc_prod, streams, cases, clients) -> None:  # type: ignore[no-untyped-def]
    answers = ((503, {"Retry-After": "0"}), (429, {"Retry-After": "1"}))
    transport = Forwarding(answers=answers)
    client = clients(
        soc_prod.url, soc_prod.keys["ingest"], flush_interval=60, backoff=0.01, transport=transport
    )
    ids = [client.record("soc-prod", fields=f, decision=d) for f, d in cases(5)]
    client.flush(timeout=10)
    assert transport.batches == [ids, ids, ids] and client.sent == 5
    assert transport.times[2] - transport.times[1] >= 0.95  # Retry-After: 1, not the 10 ms backoff
    assert streams()[0]["seen"] == 5


def test_a_given_up_attempt_keeps_the_items_and_flush_raises(clients) -> None:  # type: ignore[no-untyped-def]
    down = True
    seen: list[list[dict[str, Any]]] = []
    server = accepting(seen)

    def handle(request: httpx.Request) -> httpx.Response:
        if down:
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"detail": "store down"})
        return server.handle_request(request)

    client = clients(
        "http://hawthorne.test", "hwk_k", flush_interval=60, max_retries=2, backoff=0.001,
        transport=httpx.MockTransport(handle),
    )  # fmt: skip
    client.record("soc-prod", fields={}, decision="close", id="a")
    with pytest.raises(ServerError, match=r"store down \(503\)") as err:
        client.flush(timeout=5)
    assert err.value.status == 503 and client.pending == 1 and client.sent == 0
    down = False
    client.flush(timeout=5)
    assert client.sent == 1 and client.pending == 0 and [d["id"] for d in seen[0]] == ["a"]


def test_an_unreachable_server_fills_the_buffer_and_record_raises_buffer_full(clients) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}"
    client = clients(
        url, "hwk_k", max_buffer=5, max_block=0.05, flush_interval=0.01, max_retries=1, backoff=0.01
    )
    for i in range(5):
        client.record("soc-prod", fields={}, decision="close", id=f"d{i}")
    start = monotonic()
    with pytest.raises(BufferFull, match="5 decisions are waiting"):
        client.record("soc-prod", fields={}, decision="close", id="d5")
    assert 0.04 <= monotonic() - start < 1.0  # waited max_block, no more
    assert client.pending == 5  # nothing was dropped
    with pytest.raises(ServerError, match=f"cannot reach the Hawthorne server at {url}") as err:
        client.flush(timeout=5)
    assert err.value.status is None
    with pytest.raises(ServerError):
        client.close(timeout=5)
    with pytest.raises(RuntimeError, match="closed"):
        client.record("soc-prod", fields={}, decision="close")


def test_a_wrong_key_raises_auth_error_and_stops_sending(soc_prod, cases, clients, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret = "hwk_not_a_real_key_at_all"
    transport = Forwarding()
    client = clients(soc_prod.url, secret, flush_interval=60, backoff=0.01, transport=transport)
    (fields, decision), *_ = cases(1)
    client.record("soc-prod", fields=fields, decision=decision)
    with pytest.raises(AuthError, match=r"the server rejected the API key.*\(401\)") as err:
        client.flush(timeout=5)
    assert err.value.status == 401 and len(transport.batches) == 1  # not retried
    with pytest.raises(AuthError, match=r"\(401\)"):  # the next record() says so too
        client.record("soc-prod", fields=fields, decision=decision)
    assert secret not in str(err.value) and secret not in caplog.text

    reader = clients(soc_prod.url, soc_prod.keys["read"], flush_interval=60)
    reader.record("soc-prod", fields=fields, decision=decision)
    with pytest.raises(AuthError, match=r"lacks the 'ingest' scope \(403\)"):
        reader.flush(timeout=5)
    assert soc_prod.keys["read"] not in caplog.text


def test_refused_items_are_kept_and_logged_not_retried(
    soc_prod, streams, cases, clients, caplog
) -> None:  # type: ignore[no-untyped-def]
    transport = Forwarding()
    client = clients(soc_prod.url, soc_prod.keys["ingest"], flush_interval=60, transport=transport)
    (fields, decision), *_ = cases(1)
    client.record("soc-prod", fields=fields, decision=decision, id="good")
    client.record("no-such", fields=fields, decision=decision, id="elsewhere")
    client.record("soc-prod", fields=fields, decision=decision, id="old", protocol={"version": "1"})
    with caplog.at_level(logging.WARNING, logger="hawthorne.client"):
        client.flush(timeout=5)
    assert client.sent == 1 and client.pending == 0 and len(transport.batches) == 1
    refused = {r["id"]: r for r in client.rejected}
    assert {i: r["status"] for i, r in refused.items()} == {"elsewhere": 404, "old": 400}
    assert refused["old"]["error"].startswith("protocol.version")
    (warning,) = [r for r in caplog.records if r.name == "hawthorne.client"]
    assert warning.levelno == logging.WARNING and "2 of 3" in warning.getMessage()
    assert "elsewhere (404" in warning.getMessage() and soc_prod.keys["ingest"] not in caplog.text
    assert streams()[0]["seen"] == 1


def test_record_validates_locally_and_fills_in_the_id_and_the_time(clients) -> None:  # type: ignore[no-untyped-def]
    seen: list[list[dict[str, Any]]] = []
    client = clients("http://hawthorne.test", "hwk_k", flush_interval=60, transport=accepting(seen))
    with pytest.raises(ValueError, match="^fields.severity: Input should be a valid string"):
        client.record("soc-prod", fields={"severity": ["high"]}, decision="close")
    with pytest.raises(ValueError, match="nothing to read"):
        client.record("soc-prod", fields={})
    with pytest.raises(ValueError, match="^span_id"):
        client.record("soc-prod", fields={}, decision="close", span_id="xyz")
    assert client.pending == 0
    before = datetime.now(UTC)
    given = client.record(
        "soc-prod", fields={"internal": True, "count": 3}, output="<decision>x</decision>"
    )
    when = datetime(2024, 5, 1, 12, 0)
    client.record("soc-prod", fields={}, decision="close", id="mine", time=when, segment="eu",
                  actions=[{"tool": "close_ticket", "args": {"id": 7}}])  # fmt: skip
    client.flush(timeout=5)
    ((first, second),) = seen
    assert uuid.UUID(given).version == 4 and first["id"] == given
    assert first["fields"] == {"internal": "true", "count": "3"} and first["segment"] == "default"
    stamped = datetime.fromisoformat(first["time"].replace("Z", "+00:00"))
    assert before <= stamped <= datetime.now(UTC) + timedelta(seconds=1)
    assert second["id"] == "mine" and second["segment"] == "eu"
    assert datetime.fromisoformat(second["time"].replace("Z", "+00:00")) == when.replace(tzinfo=UTC)
    assert second["actions"] == [{"tool": "close_ticket", "args": {"id": "7"}}]


def test_a_batch_too_large_is_split_and_a_lone_item_too_large_is_refused(clients) -> None:  # type: ignore[no-untyped-def]
    sizes: list[int] = []
    seen: list[list[dict[str, Any]]] = []
    server = accepting(seen)

    def handle(request: httpx.Request) -> httpx.Response:
        batch = json.loads(request.read())["batch"]
        sizes.append(len(batch))
        if len(batch) > 2 or any(d["id"] == "huge" for d in batch):
            return httpx.Response(413, json={"detail": "the body exceeds 10485760 bytes"})
        return server.handle_request(request)

    client = clients("http://hawthorne.test", "hwk_k", flush_interval=60,
                     transport=httpx.MockTransport(handle))  # fmt: skip
    for i in range(4):
        client.record("soc-prod", fields={}, decision="close", id=f"d{i}")
    client.record("soc-prod", fields={}, decision="close", id="huge")
    client.flush(timeout=5)
    assert client.sent == 4 and client.pending == 0
    assert [r["id"] for r in client.rejected] == ["huge"] and client.rejected[0]["status"] == 413
    assert sorted(d["id"] for b in seen for d in b) == ["d0", "d1", "d2", "d3"]
    assert max(len(b) for b in seen) <= 2 and sizes[0] == 5


def test_close_flushes_and_the_context_manager_closes(soc_prod, streams, cases, clients) -> None:  # type: ignore[no-untyped-def]
    (fields, decision), *_ = cases(1)
    with Client(soc_prod.url, soc_prod.keys["ingest"], flush_interval=60) as client:
        client.record("soc-prod", fields=fields, decision=decision)
        assert client.pending == 1
    assert client.sent == 1 and senders() == []
    client.close()  # twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        client.record("soc-prod", fields=fields, decision=decision)
    assert streams()[0]["seen"] == 1


def test_request_answers_json_and_raises_clear_errors(soc_prod, clients, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reader = clients(soc_prod.url, soc_prod.keys["read"])
    assert reader.request("GET", "/api/v1/deployments") == {"deployments": ["soc-prod"]}
    with pytest.raises(ServerError, match="nope") as err:
        reader.request("GET", "/api/v1/deployments/nope")
    assert (
        err.value.status == 404
        and not isinstance(err.value, AuthError)
        and "nope" in err.value.detail
    )
    with pytest.raises(
        AuthError, match=r"the server refused the API key for POST /api/v1/keys.*\(403\)"
    ):
        reader.request("POST", "/api/v1/keys", json={"name": "app", "scopes": ["ingest"]})

    admin = clients(soc_prod.url, username="admin", password=soc_prod.admin_password)
    assert admin.request("GET", "/api/v1/whoami")["name"] == "admin"
    made = admin.request("POST", "/api/v1/keys", json={"name": "app", "scopes": ["read"]})
    assert made["scopes"] == ["read"]
    with pytest.raises(ServerError, match=r"scopes: unknown \['root'\].*\(400\)"):
        admin.request("POST", "/api/v1/keys", json={"name": "app", "scopes": ["root"]})
    assert admin.request("DELETE", f"/api/v1/keys/{made['id']}") is None
    wrong = clients(soc_prod.url, username="admin", password="not the password")
    with pytest.raises(AuthError, match=r"rejected the account 'admin'.*\(401\)"):
        wrong.request("GET", "/api/v1/whoami")

    monkeypatch.setenv("HAWTHORNE_SERVER", soc_prod.url + "/")
    monkeypatch.setenv("HAWTHORNE_API_KEY", made["key"])
    with pytest.raises(AuthError, match=r"rejected the API key.*HAWTHORNE_API_KEY \(401\)"):
        clients().request("GET", "/api/v1/whoami")  # revoked above
    monkeypatch.setenv("HAWTHORNE_API_KEY", soc_prod.keys["read"])
    from_env = clients()
    assert from_env.url == soc_prod.url and from_env.request("GET", "/api/v1/whoami")["scopes"] == [
        "read"
    ]

    assert senders() == []  # request() alone starts no sender thread
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerError, match=f"^cannot reach the Hawthorne server at {url}: ") as err:
        clients(url, "hwk_k").request("GET", "/api/v1/whoami")
    assert err.value.status is None


def test_settings_and_credentials_are_checked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("HAWTHORNE_API_KEY", raising=False)
    monkeypatch.delenv("HAWTHORNE_SERVER", raising=False)
    with pytest.raises(ValueError, match="HAWTHORNE_API_KEY"):
        Client()
    for bad in ({"batch_size": 0}, {"batch_size": 10_001}, {"flush_interval": 0}, {"max_buffer": 0},
                {"max_block": -1}, {"max_retries": -1}):  # fmt: skip
        with pytest.raises(ValueError, match=f"^{next(iter(bad))}: "):
            Client(api_key="hwk_k", **bad)
    with pytest.raises(ValueError, match="^url: "):
        Client("127.0.0.1:8765", "hwk_k")
    with pytest.raises(ValueError, match="not both"):
        Client(api_key="hwk_k", username="admin", password="pw")
    with pytest.raises(ValueError, match="password"):
        Client(username="admin")


def test_an_open_client_sends_its_buffer_at_exit(soc_prod, streams, cases) -> None:  # type: ignore[no-untyped-def]
    (fields, decision), *_ = cases(1)
    code = textwrap.dedent(
        f"""
        from hawthorne.client import Client

        client = Client({soc_prod.url!r}, {soc_prod.keys["ingest"]!r}, flush_interval=60)
        for i in range(3):
            client.record("soc-prod", fields={fields!r}, decision={decision!r}, id=f"exit{{i}}")
        """
    )  # no flush(), no close(): the interpreter's exit sends them
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert streams()[0]["seen"] == 3


def test_a_wrong_url_stops_the_sender_with_a_clear_error(soc_prod, clients) -> None:  # type: ignore[no-untyped-def]
    client = clients(soc_prod.url + "/elsewhere", soc_prod.keys["ingest"], flush_interval=60)
    client.record("soc-prod", fields={}, decision="close")
    with pytest.raises(ServerError, match=r"unexpected answer to POST /api/v1/decisions.*\(404\)"):
        client.flush(timeout=5)
    with pytest.raises(ServerError, match=r"\(404\)"):
        client.record("soc-prod", fields={}, decision="close")
