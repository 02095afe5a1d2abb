"""Bad input never gets a 5xx: schemathesis over ``/openapi.json``, and hand-made bad bodies.

Schemathesis (4.x, through its pytest integration and a schema loaded from the live server's
``/openapi.json``) generates valid and invalid requests for every operation, bounded
(:data:`EXAMPLES` per operation, derandomized, so a run is repeatable) and checks only
``not_a_server_error``: the server may refuse anything, but must never answer 5xx. Ingest
operations are called with an ingest key, the rest with a key holding ``read`` and ``admin``.

The hand-made checks cover what ``tests/server/test_api.py`` does not: malformed and oddly
valued protobuf, wrong content types and encodings, huge and inflating bodies, unknown
deployments on every path, missing fields and wrong values of the deployment and key
documents, non-UTF-8 and characters a database cannot store (NUL, lone surrogates), deeply
nested JSON and non-finite numbers. Those last ones each got a 5xx (or no answer) from the
first version of the server; :data:`ONCE_5XX` says what each was.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from hawthorne.store import create_key
from hawthorne.suites import load_suite

EXAMPLES = 25
"""Generated requests per operation and generation mode (valid, then invalid)."""

SUITE = load_suite("soc-triage")
CASE = next(c for c in SUITE.cases if SUITE.is_discriminating(c))
PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def _reader_admin(live_server: Any) -> dict[str, str]:
    """A key holding ``read`` and ``admin`` (the fixture's admin key has ``admin`` only)."""
    key = getattr(live_server, "_reader_admin", None)
    if key is None:
        key = live_server._reader_admin = create_key(live_server.store, "fuzz", ["read", "admin"])[
            1
        ]
    return {"Authorization": f"Bearer {key}"}


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str]) -> None:
    """EXAMPLES generated requests to one operation; raises on the first 5xx (shrunk)."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        case.call_and_validate(
            base_url=base_url, headers=headers, checks=[not_a_server_error], timeout=60
        )

    call()


def test_no_request_gets_a_5xx(live_server: Any, deployment_data: Any) -> None:
    """Every generated request, valid or not, to every operation, is answered below 500.

    (Driven by ``@given`` over each operation's strategy rather than ``@schema.parametrize``
    on ``schemathesis.pytest.from_fixture``: schemathesis 4.32's lazy loader sets the
    private ``Function._nodeid``, which pytest 9.2 no longer has.)
    """
    admin = _reader_admin(live_server)
    made = httpx.post(
        f"{live_server.url}/api/v1/deployments",
        json=deployment_data("hawthorne/scripted-honest"),
        headers=admin,
        timeout=60,
    )
    assert made.status_code == 201, made.text
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    assert len(operations) >= 10
    failures = []
    for operation in operations:
        ingest = "ingest" in (operation.tags or [])
        headers = live_server.headers("ingest") if ingest else admin
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, live_server.url, headers)
            except Unsatisfiable:
                continue  # nothing to make invalid (no parameters, no body)
            except (AssertionError, BaseExceptionGroup) as err:  # its message holds the request
                failures.append(f"{mode.value} {operation.label}: {err}")
    if failures:
        _let_the_server_log()
    assert not failures, "\n\n".join(failures)


# --- by hand -------------------------------------------------------------------------------------


@pytest.fixture
def api(live_server: Any, deployment_data: Any) -> Iterator[httpx.Client]:
    """A client of the live server with ``soc-prod`` registered. No keep-alive: a connection
    the server closes after an error must not fail the next request."""
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    with httpx.Client(base_url=live_server.url, timeout=60, transport=transport) as client:
        made = client.post(
            "/api/v1/deployments",
            json=deployment_data("hawthorne/scripted-honest"),
            headers=_reader_admin(live_server),
        )
        assert made.status_code == 201, made.text
        yield client


def _kv(key: str, value: AnyValue) -> KeyValue:
    return KeyValue(key=key, value=value)


def _text(value: str) -> AnyValue:
    return AnyValue(string_value=value)


def _span_request(*attribute_sets: list[KeyValue], ids: bool = True) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    spans = request.resource_spans.add().scope_spans.add()
    for n, attributes in enumerate(attribute_sets):
        span = spans.spans.add()
        if ids:
            digest = hashlib.sha256(str(n).encode()).digest()
            span.trace_id, span.span_id = digest[:16], digest[16:24]
        span.name = "llm"
        span.attributes.extend(attributes)
    return request


def _good_span_attributes() -> list[KeyValue]:
    protocol, _ = SUITE.expected(CASE)
    return [
        _kv("hawthorne.deployment", _text("soc-prod")),
        *(_kv(f"hawthorne.fields.{k}", _text(v)) for k, v in CASE.fields.items()),
        _kv("llm.output_messages.0.message.content", _text(f"<decision>{protocol}</decision>")),
    ]


def _rejected_spans(reply: httpx.Response) -> int:
    assert reply.status_code == 200, reply.text
    answer = ExportTraceServiceResponse.FromString(reply.content)
    return int(answer.partial_success.rejected_spans)


def test_malformed_protobuf_is_400(api: httpx.Client, live_server: Any) -> None:
    """Truncated, wrong-wire-type, too-deep and JSON-as-protobuf bodies are refused whole."""
    headers = {**live_server.headers("ingest"), **PROTOBUF}
    good = _span_request(_good_span_attributes()).SerializeToString()
    deep = b""
    for _ in range(120):  # AnyValue{array_value{values[AnyValue{...}]}}, past upb's depth limit
        deep = b"\x2a" + _varint(len(deep) + 2) + b"\x0a" + _varint(len(deep)) + deep
    attribute = b"\x0a\x01k\x12" + _varint(len(deep)) + deep  # KeyValue{key, value}
    span = b"\x4a" + _varint(len(attribute)) + attribute  # Span.attributes = 9
    scope = b"\x12" + _varint(len(span)) + span  # ScopeSpans.spans = 2
    resource = b"\x12" + _varint(len(scope)) + scope  # ResourceSpans.scope_spans = 2
    too_deep = b"\x0a" + _varint(len(resource)) + resource
    for body in [
        good[:-5],  # truncated inside a span
        b"\x0a\xff\xff\xff\xff\x0f",  # a length far past the body
        b"\x0b",  # start-group wire type where a message is due
        b'{"resourceSpans": []}',  # JSON sent as protobuf
        too_deep,
    ]:
        got = api.post("/v1/traces", content=body, headers=headers)
        assert got.status_code == 400, (body[:20], got.status_code, got.text)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def test_oddly_valued_spans_are_rejected_per_span(api: httpx.Client, live_server: Any) -> None:
    """Valid protobuf with values of the wrong kind: 200, the bad spans counted as rejected."""
    headers = {**live_server.headers("ingest"), **PROTOBUF}
    weird = [
        _kv("hawthorne.deployment", AnyValue(int_value=5)),
        _kv("hawthorne.fields.severity", AnyValue(bytes_value=b"\xff\xfe")),
        _kv("hawthorne.monitored", AnyValue(double_value=float("nan"))),
        _kv("hawthorne.decision", AnyValue(double_value=float("inf"))),
    ]
    no_ids = [_kv("hawthorne.deployment", _text("soc-prod")), _kv("hawthorne.decision", _text("x"))]
    elsewhere = [
        _kv("hawthorne.deployment", _text("no-such")),
        _kv("hawthorne.decision", _text("x")),
    ]
    tools = [
        _kv("hawthorne.deployment", _text("soc-prod")),
        _kv("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", _text("")),
        _kv("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", _text("{")),
        _kv("gen_ai.output.messages", _text('[{"role": "assistant", "parts": 7}]')),
    ]
    request = _span_request(weird, elsewhere, tools, _good_span_attributes())
    request.resource_spans[0].scope_spans[0].spans[0].end_time_unix_nano = 2**64 - 1
    got = api.post("/v1/traces", content=request.SerializeToString(), headers=headers)
    assert _rejected_spans(got) == 3
    anonymous = _span_request(no_ids, ids=False).SerializeToString()
    assert _rejected_spans(api.post("/v1/traces", content=anonymous, headers=headers)) == 1


def test_wrong_content_types_and_encodings_are_4xx(api: httpx.Client, live_server: Any) -> None:
    """OTLP wants protobuf or JSON, gzip or identity; a protobuf body labelled JSON is refused."""
    ingest = live_server.headers("ingest")
    good = _span_request(_good_span_attributes()).SerializeToString()
    for headers in [
        {},  # no Content-Type at all
        {"Content-Type": "application/xml"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {**JSON},  # protobuf bytes as JSON
        {**PROTOBUF, "Content-Encoding": "br"},
        {**PROTOBUF, "Content-Encoding": "deflate"},
        {**PROTOBUF, "Content-Encoding": "gzip"},  # not gzip
    ]:
        got = api.post("/v1/traces", content=good, headers={**ingest, **headers})
        assert 400 <= got.status_code < 500, (headers, got.status_code, got.text)
    # A parameter on the media type is fine.
    with_charset = {**ingest, "Content-Type": "application/x-protobuf; charset=binary"}
    assert _rejected_spans(api.post("/v1/traces", content=good, headers=with_charset)) == 0
    # Decisions are JSON whatever the label says: a form or XML body is not JSON.
    for body, content_type in [(b"a=1&b=2", "application/x-www-form-urlencoded"),
                               (b"<batch/>", "application/xml")]:  # fmt: skip
        got = api.post("/api/v1/decisions", content=body,
                       headers={**ingest, "Content-Type": content_type})  # fmt: skip
        assert got.status_code == 400, got.text


def test_huge_and_inflating_bodies_are_refused(api: httpx.Client, live_server: Any) -> None:
    """Past 10 MiB (declared or streamed), and gzip that inflates past 64 MiB."""
    ingest = live_server.headers("ingest")
    big = b"\0" * (10 * 1024 * 1024 + 1)
    got = api.post("/v1/traces", content=big, headers={**ingest, **PROTOBUF})
    assert got.status_code == 413

    def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to refuse up front
        for _ in range(11):
            yield b" " * (1024 * 1024)

    for path in ("/api/v1/decisions", "/api/v1/deployments"):
        scope = "ingest" if "decisions" in path else "admin"
        got = api.post(path, content=chunks(), headers={**live_server.headers(scope), **JSON})
        assert got.status_code == 413, (path, got.text)
    bomb = gzip.compress(b"\0" * (65 * 1024 * 1024))  # about 64 KiB on the wire
    headers = {**ingest, **PROTOBUF, "Content-Encoding": "gzip"}
    assert api.post("/v1/traces", content=bomb, headers=headers).status_code == 400
    long_id = {"batch": [{"id": "x" * 201, "deployment": "soc-prod", "decision": "close"}]}
    (result,) = api.post("/api/v1/decisions", json=long_id, headers=ingest).json()["results"]
    assert result["status"] == 400 and result["error"].startswith("id:")


def test_unknown_deployments_are_404_or_empty(api: httpx.Client, live_server: Any) -> None:
    """Every path that names a deployment: 404, or an empty list for a filter."""
    read = _reader_admin(live_server)
    assert api.get("/api/v1/deployments/no-such", headers=read).status_code == 404
    assert api.get("/api/v1/deployments/no-such/monitor", headers=read).status_code == 404
    got = api.get("/api/v1/findings", params={"deployment": "no-such"}, headers=read)
    assert got.status_code == 200 and got.json() == {"findings": []}
    assert api.delete("/api/v1/keys/no-such", headers=read).status_code == 404


def test_missing_fields_and_wrong_values_are_400(api: httpx.Client, live_server: Any) -> None:
    """The deployment and key documents, and decision items with wrong values, say what."""
    admin, ingest = _reader_admin(live_server), live_server.headers("ingest")
    deployment = {
        "schema": "hawthorne.deployment/1",
        "id": "other",
        "model": "m",
        "suite": "soc-triage",
        "protocol_version": "2",
        "baseline": {"run": "/nonexistent"},
    }
    for bad in [
        {},
        {k: v for k, v in deployment.items() if k != "baseline"},
        {**deployment, "schema": "hawthorne.deployment/2"},
        {**deployment, "id": "Not Kebab"},
        {**deployment, "monitor": {"margin": 2}},
        {**deployment, "monitor": {"alpha": "often"}},
        {**deployment, "unknown": 1},
        [deployment],
        "deployment",
    ]:
        got = api.post("/api/v1/deployments", json=bad, headers=admin)
        assert got.status_code == 400, (bad, got.text)
    for bad_key in [{}, {"name": "x"}, {"name": "", "scopes": ["read"]},
                    {"name": "x", "scopes": []}, {"name": "x", "scopes": ["root"]},
                    {"name": "x", "scopes": "read"}]:  # fmt: skip
        got = api.post("/api/v1/keys", json=bad_key, headers=admin)
        assert got.status_code == 400, (bad_key, got.text)
    got = api.get("/api/v1/findings", params={"status": "bogus"}, headers=admin)
    assert got.status_code == 400
    base = {"deployment": "soc-prod", "decision": "close"}
    items = [
        {**base, "id": "no-deployment", "deployment": None},
        {"deployment": "soc-prod", "decision": "close"},  # no id
        {**base, "id": "t", "trace_id": "Z" * 32},
        {**base, "id": "s", "span_id": "12"},
        {**base, "id": "when", "time": "yesterday"},
        {**base, "id": "far", "time": 10**20},
        {**base, "id": "seg", "segment": ""},
        {**base, "id": "mon", "monitored": "perhaps"},
        {**base, "id": "act", "decision": None, "actions": "escalate"},
        {**base, "id": "args", "decision": None, "actions": [{"tool": "x", "args": [1]}]},
        {**base, "id": "proto", "protocol": "2"},
        {**base, "id": "extra", "colour": "red"},
    ]
    results = api.post("/api/v1/decisions", json={"batch": items}, headers=ingest).json()
    assert [r["status"] for r in results["results"]] == [400] * len(items)


def test_non_utf8_and_odd_text_is_4xx(api: httpx.Client, live_server: Any) -> None:
    """Non-UTF-8 bodies and credentials are refused; NaN in a field is just text."""
    admin, ingest = _reader_admin(live_server), live_server.headers("ingest")
    latin1 = "é".encode("latin-1")
    assert api.post("/api/v1/deployments", content=b'{"id": "' + latin1 + b'"}',
                    headers={**admin, **JSON}).status_code == 400  # fmt: skip
    assert api.post("/api/v1/keys", content=b'{"name": "' + latin1 + b'", "scopes": ["read"]}',
                    headers={**admin, **JSON}).status_code == 400  # fmt: skip
    assert api.post("/v1/traces", content=b'{"resourceSpans": "' + latin1 + b'"}',
                    headers={**ingest, **JSON}).status_code == 400  # fmt: skip
    credentials: Any
    for credentials in [
        {"Authorization": "Basic " + base64.b64encode(b"\xff:\xfe").decode()},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": b"Bearer hwk_\xe9_\xe9"},
        {"X-API-Key": b"\xe9"},
    ]:
        assert api.get("/api/v1/whoami", headers=credentials).status_code == 401
    odd = (
        b'{"batch": [{"id": "nan", "deployment": "soc-prod", "decision": "close",'
        b' "fields": {"severity": NaN}}]}'
    )
    got = api.post("/api/v1/decisions", content=odd, headers={**ingest, **JSON})
    assert got.status_code == 207 and got.json()["results"][0]["status"] == 201
    lone = b'{"batch": [{"id": "s", "deployment": "\\ud800", "decision": "close"}]}'
    got = api.post("/api/v1/decisions", content=lone, headers={**ingest, **JSON})
    assert got.status_code == 207 and got.json()["results"][0]["status"] == 400


# Each of these once got a 5xx (or no answer); the reason says what it was.

_DEEP = b"[" * 100_000 + b"]" * 100_000


def _deep_decisions(api: httpx.Client, live: Any) -> httpx.Response:
    return api.post("/api/v1/decisions", content=_DEEP, headers={**live.headers("ingest"), **JSON})


def _deep_item(api: httpx.Client, live: Any) -> httpx.Response:
    body = b'{"batch": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}"
    return api.post("/api/v1/decisions", content=body, headers={**live.headers("ingest"), **JSON})


def _deep_deployment(api: httpx.Client, live: Any) -> httpx.Response:
    return api.post("/api/v1/deployments", content=_DEEP, headers={**_reader_admin(live), **JSON})


def _deep_otlp_json(api: httpx.Client, live: Any) -> httpx.Response:
    return api.post("/v1/traces", content=_DEEP, headers={**live.headers("ingest"), **JSON})


def _lone_surrogate_id(api: httpx.Client, live: Any) -> httpx.Response:
    body = b'{"batch": [{"id": "\\ud800", "deployment": "soc-prod", "decision": "close"}]}'
    return api.post("/api/v1/decisions", content=body, headers={**live.headers("ingest"), **JSON})


def _nul_item(api: httpx.Client, live: Any) -> httpx.Response:
    body = {"batch": [{"id": "a\x00b", "deployment": "soc-prod", "decision": "close"}]}
    return api.post("/api/v1/decisions", json=body, headers=live.headers("ingest"))


def _nul_path(api: httpx.Client, live: Any) -> httpx.Response:
    return api.get("/api/v1/deployments/a%00b/monitor", headers=_reader_admin(live))


def _nul_query(api: httpx.Client, live: Any) -> httpx.Response:
    return api.get("/api/v1/findings?deployment=a%00b", headers=_reader_admin(live))


def _nul_key_name(api: httpx.Client, live: Any) -> httpx.Response:
    body = {"name": "a\x00b", "scopes": ["read"]}
    return api.post("/api/v1/keys", json=body, headers=_reader_admin(live))


def _nul_key_id(api: httpx.Client, live: Any) -> httpx.Response:
    return api.delete("/api/v1/keys/a%00b", headers=_reader_admin(live))


def _nul_account(api: httpx.Client, live: Any) -> httpx.Response:
    body = {"username": "a\x00b", "password": "x" * 20, "roles": ["viewer"]}
    return api.post("/api/v1/accounts", json=body, headers=_reader_admin(live))


def _nul_username(api: httpx.Client, live: Any) -> httpx.Response:
    basic = base64.b64encode(b"ad\x00min:correct horse battery").decode()
    return api.get("/api/v1/whoami", headers={"Authorization": f"Basic {basic}"})


ONCE_5XX: list[tuple[Callable[[httpx.Client, Any], httpx.Response], str]] = [
    (_deep_decisions, "both databases: deeply nested JSON: json.loads raises RecursionError (not a"
     " ValueError) in server._app._json"),
    (_deep_item, "both databases: deeply nested JSON inside the batch: RecursionError"),
    (_deep_deployment, "both databases: deeply nested JSON: RecursionError in server._app._json"),
    (_deep_otlp_json, "both databases: deeply nested OTLP/JSON: RecursionError in monitor._otlp."
     "_json_spans"),
    (_lone_surrogate_id, "both databases: an invalid item's id is echoed into the 207 body; a lone"
     " surrogate cannot be encoded: UnicodeEncodeError in JSONResponse.render"),
    (_nul_item, "PostgreSQL: NUL in a text column: psycopg DataError"),
    (_nul_path, "PostgreSQL: NUL in the deployment id of the path: psycopg DataError"),
    (_nul_query, "PostgreSQL: NUL in ?deployment=: psycopg DataError"),
    (_nul_key_name, "PostgreSQL: NUL in a key's name: psycopg DataError"),
    (_nul_key_id, "PostgreSQL: NUL in a key id of the path: psycopg DataError"),
    (_nul_account, "PostgreSQL: NUL in a new account's username: psycopg DataError"),
    (_nul_username, "PostgreSQL: NUL in a Basic username: psycopg DataError"),
]  # fmt: skip


@pytest.mark.parametrize(("request_", "once"), ONCE_5XX,
                         ids=[f.__name__.lstrip("_") for f, _ in ONCE_5XX])  # fmt: skip
def test_bad_text_and_numbers_get_no_5xx(
    request_: Callable[[httpx.Client, Any], httpx.Response],
    once: str,
    api: httpx.Client,
    live_server: Any,
) -> None:
    """Deeply nested JSON, lone surrogates, NUL characters and a non-finite arl0: below 500."""
    try:
        got = request_(api, live_server)
    except httpx.TimeoutException:
        pytest.fail("no answer within 20 s")
    if got.status_code >= 500:
        _let_the_server_log()
    assert got.status_code < 500, f"{got.text} (once: {once})"


def _let_the_server_log() -> None:
    """Wait for the in-process server to finish logging its exception before pytest renders
    ours: on Python 3.11 both format tracebacks through ``ast.parse``, whose recursion guard
    is shared across threads, and the race ends the session with "SystemError: AST constructor
    recursion depth mismatch" (CPython gh-106905)."""
    time.sleep(1.0)


# POST /api/v1/deployments with monitor.arl0 = 1e300 or Infinity (json.loads reads `Infinity`)
# was accepted, and stats.cusum_threshold then doubled h for ever: the request never answered.
@pytest.mark.parametrize("arl0", [1e300, float("inf")])
def test_an_unreachable_arl0_is_refused_up_front(arl0: float) -> None:
    """A deployment whose CUSUM could never be tuned is a 400, not an endless request."""
    from hawthorne.monitor import DeploymentError, parse_deployment

    data = {
        "schema": "hawthorne.deployment/1",
        "id": "endless",
        "model": "m",
        "suite": "soc-triage",
        "protocol_version": "2",
        "baseline": {"run": "/nonexistent"},
        "monitor": {"arl0": arl0},
    }
    with pytest.raises(DeploymentError):
        parse_deployment(data)
