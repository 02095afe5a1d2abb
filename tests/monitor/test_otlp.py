"""OTLP/HTTP traces bodies (protobuf and JSON, gzip or not) to decision inputs."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    InstrumentationScope,
    KeyValue,
    KeyValueList,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

from hawthorne.monitor._otlp import MAX_DECOMPRESSED, OtlpError, SpanDecisions, decode_traces

PB = "application/x-protobuf"
JS = "application/json"
TRACE = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
SPAN = bytes.fromhex("b7ad6b7169203331")
START = 1_700_000_000_000_000_000
END = 1_700_000_001_250_000_000  # 2023-11-14T22:13:21.25Z
END_ISO = "2023-11-14T22:13:21.250000Z"


# --- building bodies ------------------------------------------------------------------------------


def any_value(v: Any) -> AnyValue:
    if isinstance(v, bool):
        return AnyValue(bool_value=v)
    if isinstance(v, str):
        return AnyValue(string_value=v)
    if isinstance(v, int):
        return AnyValue(int_value=v)
    if isinstance(v, float):
        return AnyValue(double_value=v)
    if isinstance(v, bytes):
        return AnyValue(bytes_value=v)
    if isinstance(v, list):
        return AnyValue(array_value=ArrayValue(values=[any_value(x) for x in v]))
    if isinstance(v, dict):
        return AnyValue(kvlist_value=KeyValueList(values=key_values(v)))
    raise TypeError(v)


def key_values(attrs: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=k, value=any_value(v)) for k, v in attrs.items()]


def pb_span(
    attrs: dict[str, Any],
    trace: bytes = TRACE,
    span: bytes = SPAN,
    start: int = START,
    end: int = END,
) -> Span:
    return Span(
        trace_id=trace,
        span_id=span,
        name="llm",
        start_time_unix_nano=start,
        end_time_unix_nano=end,
        attributes=key_values(attrs),
    )


def pb_body(*groups: list[Span], resource: dict[str, Any] | None = None) -> bytes:
    """One ResourceSpans per group of spans."""
    return ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=key_values(resource or {})),
                scope_spans=[
                    ScopeSpans(
                        scope=InstrumentationScope(
                            name="app", attributes=key_values(resource or {})
                        ),
                        spans=spans,
                    )
                ],
            )
            for spans in groups
        ]
    ).SerializeToString()


def decode_pb(*spans: Span) -> SpanDecisions:
    return decode_traces(pb_body(list(spans)), PB)


def one(attrs: dict[str, Any]) -> dict[str, Any]:
    got = decode_pb(pb_span(attrs))
    assert (got.spans, got.ignored, len(got.decisions)) == (1, 0, 1)
    return got.decisions[0]


BASE = {"hawthorne.deployment": "claims-triage", "hawthorne.decision": "approve"}
IDS = {"id": f"{TRACE.hex()}-{SPAN.hex()}", "trace_id": TRACE.hex(), "span_id": SPAN.hex()}


# --- the hawthorne.* attributes -------------------------------------------------------------------


def test_hawthorne_attributes_map_to_the_decision_keys() -> None:
    got = one(
        {
            "hawthorne.deployment": "claims-triage",
            "hawthorne.decision.id": "req-42",
            "hawthorne.decision": "escalate",
            "hawthorne.fields.severity": "high",
            "hawthorne.fields.amount": 1200,
            "hawthorne.fields.ratio": 0.5,
            "hawthorne.fields.repeat": True,
            "hawthorne.protocol.suite": "claims",
            "hawthorne.protocol.version": "3",
            "hawthorne.monitored": False,
            "hawthorne.segment": "eu",
            "hawthorne.reasoning": "over the limit",
            "http.method": "POST",  # not ours: not read
        }
    )
    assert got == {
        "id": "req-42",
        "deployment": "claims-triage",
        "time": END_ISO,
        "protocol": {"suite": "claims", "version": "3"},
        "fields": {"severity": "high", "amount": "1200", "ratio": "0.5", "repeat": "true"},
        "decision": "escalate",
        "reasoning": "over the limit",
        "monitored": False,
        "segment": "eu",
        "trace_id": TRACE.hex(),
        "span_id": SPAN.hex(),
    }


def test_only_the_keys_with_a_value_are_given() -> None:
    assert one(BASE) == {
        "id": IDS["id"],
        "deployment": "claims-triage",
        "time": END_ISO,
        "decision": "approve",
        "trace_id": IDS["trace_id"],
        "span_id": IDS["span_id"],
    }


def test_the_id_falls_back_to_trace_and_span_id() -> None:
    got = one(BASE)
    assert got["id"] == "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"
    # With no ids at all there is nothing to fall back on: the key is left for the model to name.
    no_ids = decode_pb(pb_span(BASE, trace=b"", span=b"")).decisions[0]
    assert "id" not in no_ids and "trace_id" not in no_ids and "span_id" not in no_ids


def test_protocol_is_given_when_either_half_is_present() -> None:
    assert one({**BASE, "hawthorne.protocol.version": "7"})["protocol"] == {
        "suite": None,
        "version": "7",
    }
    assert "protocol" not in one(BASE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("FALSE", False), ("maybe", "maybe")],
)
def test_monitored_takes_a_bool_or_its_text(value: Any, expected: Any) -> None:
    got = one({**BASE, "hawthorne.monitored": value})["monitored"]
    assert got == expected and type(got) is type(expected)


def test_time_is_the_end_time_else_the_start_time_else_absent() -> None:
    assert one(BASE)["time"] == END_ISO
    start_only = decode_pb(pb_span(BASE, end=0)).decisions[0]
    assert start_only["time"] == "2023-11-14T22:13:20.000000Z"
    assert "time" not in decode_pb(pb_span(BASE, start=0, end=0)).decisions[0]


def test_spans_without_a_deployment_are_ignored_and_counted_in_body_order() -> None:
    body = pb_body(
        [
            pb_span({**BASE, "hawthorne.decision.id": "a"}),
            pb_span({"hawthorne.decision": "approve"}),  # no deployment
        ],
        [
            pb_span({"gen_ai.operation.name": "chat"}),  # not ours at all
            pb_span({**BASE, "hawthorne.decision.id": "b"}),
        ],
    )
    got = decode_traces(body, PB)
    assert (got.spans, got.ignored) == (4, 2)
    assert [d["id"] for d in got.decisions] == ["a", "b"]


def test_resource_and_scope_attributes_are_not_decision_attributes() -> None:
    body = pb_body(
        [pb_span({"hawthorne.decision": "approve"}), pb_span(BASE)],
        resource={"hawthorne.deployment": "from-resource", "hawthorne.segment": "us"},
    )
    got = decode_traces(body, PB)
    assert (got.spans, got.ignored) == (2, 1)
    assert got.decisions[0]["deployment"] == "claims-triage"
    assert "segment" not in got.decisions[0]


def test_an_empty_protobuf_body_holds_no_span() -> None:
    assert decode_traces(b"", PB) == SpanDecisions(decisions=[], spans=0, ignored=0)


# --- OpenInference --------------------------------------------------------------------------------

OI_TC = "llm.output_messages.{n}.message.tool_calls.{k}.tool_call.function.{leaf}"


def test_openinference_output_message_content_is_the_output() -> None:
    got = one(
        {
            "hawthorne.deployment": "d",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.content": "<decision>deny</decision>",
            "output.value": "ignored: the message content wins",
        }
    )
    assert got["output"] == "<decision>deny</decision>"
    assert "decision" not in got and "actions" not in got


def test_openinference_output_value_is_read_only_as_plain_text() -> None:
    assert one({"hawthorne.deployment": "d", "output.value": "plain"})["output"] == "plain"
    text = {"output.value": "t", "output.mime_type": "text/plain; charset=utf-8"}
    assert one({"hawthorne.deployment": "d", **text})["output"] == "t"
    as_json = {"output.value": '{"a": 1}', "output.mime_type": "application/json"}
    assert "output" not in one({"hawthorne.deployment": "d", **as_json})


def test_openinference_tool_calls_are_actions_ordered_by_message_then_call() -> None:
    attrs: dict[str, Any] = {"hawthorne.deployment": "d"}
    # Set out of order, with K=10 after K=2 (a numeric order, not a text one).
    for n, k, name, args in [
        (1, 0, "notify", {"who": "ops"}),
        (0, 10, "close", {}),
        (0, 2, "refund", {"amount": 12.5, "order": "A1", "items": [1, 2], "ok": True}),
    ]:
        attrs[OI_TC.format(n=n, k=k, leaf="name")] = name
        attrs[OI_TC.format(n=n, k=k, leaf="arguments")] = json.dumps(args)
    got = one(attrs)
    assert got["actions"] == [
        {
            "tool": "refund",
            "args": {"amount": "12.5", "order": "A1", "items": "[1,2]", "ok": "true"},
        },
        {"tool": "close", "args": {}},
        {"tool": "notify", "args": {"who": "ops"}},
    ]
    assert "output" not in got


def test_openinference_contents_text_parts_are_the_output_when_content_is_absent() -> None:
    got = one(
        {
            "hawthorne.deployment": "d",
            "llm.output_messages.0.message.contents.1.message_content.type": "text",
            "llm.output_messages.0.message.contents.1.message_content.text": "second",
            "llm.output_messages.0.message.contents.0.message_content.type": "text",
            "llm.output_messages.0.message.contents.0.message_content.text": "first",
            "llm.output_messages.0.message.contents.2.message_content.type": "image",
            "llm.output_messages.0.message.contents.2.message_content.text": "not text",
        }
    )
    assert got["output"] == "first\nsecond"


# --- OpenTelemetry GenAI --------------------------------------------------------------------------


def genai(*messages: dict[str, Any]) -> str:
    return json.dumps(list(messages))


def test_genai_output_messages_give_output_actions_and_reasoning() -> None:
    messages = genai(
        {
            "role": "assistant",
            "parts": [
                {"type": "reasoning", "content": "the policy says escalate"},
                {"type": "text", "content": "Escalating."},
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": "escalate",
                    "arguments": {"queue": "fraud", "priority": 2},
                },
                {"type": "text", "content": "<decision>escalate</decision>"},
                {
                    "type": "tool_call",
                    "id": "call_2",
                    "name": "notify",
                    "arguments": '{"who": "ops"}',  # some instrumentations send a JSON string
                },
            ],
            "finish_reason": "tool_call",
        },
        {"role": "tool", "parts": [{"type": "text", "content": "not the model's"}]},
    )
    got = one({"hawthorne.deployment": "d", "gen_ai.output.messages": messages})
    assert got["output"] == "Escalating.\n<decision>escalate</decision>"
    assert got["actions"] == [
        {"tool": "escalate", "args": {"queue": "fraud", "priority": "2"}},
        {"tool": "notify", "args": {"who": "ops"}},
    ]
    assert got["reasoning"] == "the policy says escalate"


def test_hawthorne_reasoning_wins_over_genai_reasoning() -> None:
    messages = genai({"role": "assistant", "parts": [{"type": "reasoning", "content": "x"}]})
    got = one(
        {
            "hawthorne.deployment": "d",
            "hawthorne.decision": "approve",
            "hawthorne.reasoning": "explicit",
            "gen_ai.output.messages": messages,
        }
    )
    assert got["reasoning"] == "explicit"


def test_openinference_wins_over_genai_and_hawthorne_decision_wins_as_decision() -> None:
    messages = genai(
        {
            "role": "assistant",
            "parts": [
                {"type": "text", "content": "genai text"},
                {"type": "tool_call", "name": "genai_tool", "arguments": {}},
            ],
            "finish_reason": "stop",
        }
    )
    got = one(
        {
            "hawthorne.deployment": "d",
            "hawthorne.decision": "approve",
            "gen_ai.output.messages": messages,
            "llm.output_messages.0.message.content": "oi text",
            OI_TC.format(n=0, k=0, leaf="name"): "oi_tool",
            OI_TC.format(n=0, k=0, leaf="arguments"): "{}",
        }
    )
    assert got["decision"] == "approve"
    assert got["output"] == "oi text"
    assert got["actions"] == [{"tool": "oi_tool", "args": {}}]
    # Field by field: with no OpenInference tool calls, GenAI's are used.
    partial = one(
        {
            "hawthorne.deployment": "d",
            "gen_ai.output.messages": messages,
            "llm.output_messages.0.message.content": "oi text",
        }
    )
    assert partial["output"] == "oi text"
    assert partial["actions"] == [{"tool": "genai_tool", "args": {}}]


# --- malformed values do not fail the body --------------------------------------------------------


def test_malformed_tool_call_arguments_still_give_a_decision() -> None:
    body = pb_body(
        [
            pb_span(
                {
                    "hawthorne.deployment": "d",
                    "hawthorne.decision.id": "bad",
                    OI_TC.format(n=0, k=0, leaf="name"): "refund",
                    OI_TC.format(n=0, k=0, leaf="arguments"): "{amount: 12",  # not JSON
                    OI_TC.format(n=0, k=1, leaf="name"): "close",
                    OI_TC.format(n=0, k=1, leaf="arguments"): "[1, 2]",  # JSON, not an object
                }
            ),
            pb_span({**BASE, "hawthorne.decision.id": "good"}),
        ]
    )
    got = decode_traces(body, PB)
    assert [d["id"] for d in got.decisions] == ["bad", "good"]
    # The raw value goes through, for the model to name (actions.0.args).
    assert got.decisions[0]["actions"] == [
        {"tool": "refund", "args": "{amount: 12"},
        {"tool": "close", "args": "[1, 2]"},
    ]


CUT = '[{"role": "assistant", "parts": [{"type": "text", "content": "<decision>de'


@pytest.mark.parametrize(
    ("value", "output"),
    [
        (CUT, CUT),  # cut by an attribute length limit: its text is the output
        ('"a JSON string"', '"a JSON string"'),  # JSON, but not messages: likewise
        ("[1, 2, 3]", None),  # a list without a message in it: nothing to read
        ("{}", None),
    ],
)
def test_malformed_genai_messages_still_give_a_decision(value: str, output: str | None) -> None:
    got = one({"hawthorne.deployment": "d", "gen_ai.output.messages": value})
    assert got["deployment"] == "d"
    assert got.get("output") == output
    assert "actions" not in got


def test_a_genai_tool_call_without_a_name_is_passed_for_the_model_to_name() -> None:
    messages = genai({"role": "assistant", "parts": [{"type": "tool_call", "arguments": None}]})
    got = one({"hawthorne.deployment": "d", "gen_ai.output.messages": messages})
    assert got["actions"] == [{"args": {}}]


def test_the_decision_model_accepts_good_spans_and_names_bad_fields() -> None:
    decision = pytest.importorskip("hawthorne.monitor._decision")
    good = one(
        {
            **BASE,
            "hawthorne.fields.amount": 3,
            "hawthorne.protocol.suite": "claims",
            OI_TC.format(n=0, k=0, leaf="name"): "refund",
            OI_TC.format(n=0, k=0, leaf="arguments"): '{"amount": 3}',
        }
    )
    model = decision.DecisionIn.model_validate(good)
    assert model.trace_id == TRACE.hex() and model.time is not None
    assert model.time.isoformat() == "2023-11-14T22:13:21.250000+00:00"
    bad = one(
        {
            "hawthorne.deployment": "d",
            OI_TC.format(n=0, k=0, leaf="name"): "refund",
            OI_TC.format(n=0, k=0, leaf="arguments"): "not json",
        }
    )
    with pytest.raises(Exception) as err:
        decision.DecisionIn.model_validate(bad)
    assert "actions.0.args" in decision.describe_error(err.value)


# --- OTLP/JSON ------------------------------------------------------------------------------------


def json_body(spans: list[dict[str, Any]], resource: list[dict[str, Any]] | None = None) -> bytes:
    return json.dumps(
        {
            "resourceSpans": [
                {
                    "resource": {"attributes": resource or []},
                    "scopeSpans": [{"scope": {"name": "app"}, "spans": spans}],
                }
            ]
        }
    ).encode()


JSON_SPAN = {
    "traceId": "0AF7651916CD43DD8448EB211C80319C",  # hex, any case
    "spanId": "b7ad6b7169203331",
    "name": "llm",
    "kind": 3,
    "startTimeUnixNano": str(START),
    "endTimeUnixNano": str(END),
    "attributes": [
        {"key": "hawthorne.deployment", "value": {"stringValue": "claims-triage"}},
        {"key": "hawthorne.fields.amount", "value": {"intValue": "1200"}},  # int64 as a string
        {"key": "hawthorne.fields.count", "value": {"intValue": 7}},
        {"key": "hawthorne.fields.ratio", "value": {"doubleValue": 0.5}},
        {"key": "hawthorne.fields.repeat", "value": {"boolValue": True}},
        {
            "key": "hawthorne.fields.tags",
            "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "2"}]}},
        },
        {
            "key": "hawthorne.fields.meta",
            "value": {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": False}}]}},
        },
        {"key": "hawthorne.monitored", "value": {"stringValue": "true"}},
        {"key": "llm.output_messages.0.message.content", "value": {"stringValue": "ok"}},
        {
            "key": OI_TC.format(n=0, k=1, leaf="name"),
            "value": {"stringValue": "second"},
        },
        {
            "key": OI_TC.format(n=0, k=0, leaf="name"),
            "value": {"stringValue": "first"},
        },
        {
            "key": OI_TC.format(n=0, k=0, leaf="arguments"),
            "value": {"stringValue": '{"n": 1}'},
        },
        {"key": "other", "value": {"stringValue": "skipped"}},
    ],
}


def test_otlp_json_maps_like_protobuf() -> None:
    got = decode_traces(json_body([JSON_SPAN]), "application/json; charset=utf-8")
    assert (got.spans, got.ignored) == (1, 0)
    assert got.decisions[0] == {
        **IDS,
        "deployment": "claims-triage",
        "time": END_ISO,
        "fields": {
            "amount": "1200",
            "count": "7",
            "ratio": "0.5",
            "repeat": "true",
            "tags": '["a",2]',
            "meta": '{"k":false}',
        },
        "output": "ok",
        "actions": [{"tool": "first", "args": {"n": "1"}}, {"tool": "second", "args": {}}],
        "monitored": True,
    }
    # The same span as protobuf gives the same dict.
    attrs = {
        "hawthorne.deployment": "claims-triage",
        "hawthorne.fields.amount": 1200,
        "hawthorne.fields.count": 7,
        "hawthorne.fields.ratio": 0.5,
        "hawthorne.fields.repeat": True,
        "hawthorne.fields.tags": ["a", 2],
        "hawthorne.fields.meta": {"k": False},
        "hawthorne.monitored": "true",
        "llm.output_messages.0.message.content": "ok",
        OI_TC.format(n=0, k=1, leaf="name"): "second",
        OI_TC.format(n=0, k=0, leaf="name"): "first",
        OI_TC.format(n=0, k=0, leaf="arguments"): '{"n": 1}',
    }
    assert one(attrs) == got.decisions[0]


def test_otlp_json_ignores_resource_attributes_and_counts_ignored_spans() -> None:
    plain = {"traceId": TRACE.hex(), "spanId": SPAN.hex(), "attributes": []}
    resource = [{"key": "hawthorne.deployment", "value": {"stringValue": "r"}}]
    got = decode_traces(json_body([plain, JSON_SPAN, plain], resource), JS)
    assert (got.spans, got.ignored, len(got.decisions)) == (3, 2, 1)


def test_otlp_json_genai_span_with_numeric_times() -> None:
    span = {
        "traceId": TRACE.hex(),
        "spanId": SPAN.hex(),
        "startTimeUnixNano": START,
        "attributes": [
            {"key": "hawthorne.deployment", "value": {"stringValue": "d"}},
            {
                "key": "gen_ai.output.messages",
                "value": {
                    "stringValue": genai(
                        {
                            "role": "assistant",
                            "parts": [{"type": "tool_call", "name": "t", "arguments": {"a": 1}}],
                            "finish_reason": "tool_call",
                        }
                    )
                },
            },
        ],
    }
    got = decode_traces(json_body([span]), JS).decisions[0]
    assert got["time"] == "2023-11-14T22:13:20.000000Z"
    assert got["actions"] == [{"tool": "t", "args": {"a": "1"}}]


def test_otlp_json_reads_base64_ids_too() -> None:
    # proto3's own JSON mapping writes bytes as base64; OTLP/JSON says hex. Both are read.
    import base64

    span = {
        "traceId": base64.b64encode(TRACE).decode(),
        "spanId": base64.b64encode(SPAN).decode(),
        "attributes": [{"key": "hawthorne.deployment", "value": {"stringValue": "d"}}],
    }
    got = decode_traces(json_body([span]), JS).decisions[0]
    assert (got["trace_id"], got["span_id"]) == (TRACE.hex(), SPAN.hex())


def test_an_empty_json_request_holds_no_span() -> None:
    assert decode_traces(b"{}", JS).spans == 0


# --- transport: gzip, content types, broken bodies ------------------------------------------------


def test_gzip_bodies_are_inflated_for_both_encodings() -> None:
    pb = pb_body([pb_span(BASE)])
    assert decode_traces(gzip.compress(pb), PB, "gzip") == decode_traces(pb, PB)
    js = json_body([JSON_SPAN])
    assert decode_traces(gzip.compress(js), JS, "GZIP") == decode_traces(js, JS, "identity")


def test_bad_gzip_is_an_otlp_error() -> None:
    with pytest.raises(OtlpError, match="not valid gzip"):
        decode_traces(b"not gzip at all", PB, "gzip")
    with pytest.raises(OtlpError, match="truncated"):
        decode_traces(gzip.compress(pb_body([pb_span(BASE)]))[:-12], PB, "gzip")


def test_a_gzip_body_that_inflates_past_the_cap_is_refused() -> None:
    squeezer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = squeezer.compress(bytes(MAX_DECOMPRESSED + 1)) + squeezer.flush()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(OtlpError, match="64 MiB"):
        decode_traces(bomb, PB, "gzip")


def test_an_unsupported_encoding_is_an_otlp_error() -> None:
    with pytest.raises(OtlpError, match="Content-Encoding 'br'"):
        decode_traces(b"", PB, "br")


@pytest.mark.parametrize("content_type", ["text/plain", "application/grpc", ""])
def test_an_unsupported_content_type_is_an_otlp_error(content_type: str) -> None:
    with pytest.raises(OtlpError, match="unsupported Content-Type") as err:
        decode_traces(pb_body([pb_span(BASE)]), content_type)
    assert repr(content_type) in str(err.value)


def test_a_truncated_protobuf_body_is_an_otlp_error() -> None:
    body = pb_body([pb_span(BASE)])
    with pytest.raises(OtlpError, match="not a protobuf ExportTraceServiceRequest"):
        decode_traces(body[:-7], PB)


def test_json_that_is_not_utf8_is_an_otlp_error() -> None:
    body = json_body([JSON_SPAN]).replace(b"claims-triage", "claims-\u00e9".encode("latin-1"))
    with pytest.raises(OtlpError, match="not UTF-8"):
        decode_traces(body, JS)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "not an object"),
        (b'{"resourceSpans": {}}', "resourceSpans is not a JSON list"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [3]}]}]}', r"spans\[0\] is not"),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [1]}]}]}]}',
            r"attributes\[0\]",
        ),
    ],
)
def test_json_that_is_not_otlp_is_an_otlp_error(body: bytes, message: str) -> None:
    with pytest.raises(OtlpError, match=message):
        decode_traces(body, JS)


# --- the real SDK's encoder -----------------------------------------------------------------------


def test_a_body_from_the_opentelemetry_sdk_encoder() -> None:
    encoder = pytest.importorskip(
        "opentelemetry.exporter.otlp.proto.common.trace_encoder",
        reason="opentelemetry-sdk / its OTLP encoder is not installed (a dev dependency)",
    )
    sdk_trace = pytest.importorskip("opentelemetry.sdk.trace", reason="opentelemetry-sdk missing")
    resources = pytest.importorskip("opentelemetry.sdk.resources")
    in_memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    export = pytest.importorskip("opentelemetry.sdk.trace.export")

    exporter = in_memory.InMemorySpanExporter()
    provider = sdk_trace.TracerProvider(
        resource=resources.Resource.create({"hawthorne.deployment": "not-from-resource"})
    )
    provider.add_span_processor(export.SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("chat") as span:
        span.set_attribute("hawthorne.deployment", "claims-triage")
        span.set_attribute("hawthorne.fields.amount", 12)
        span.set_attribute("llm.output_messages.0.message.content", "<decision>deny</decision>")
        span.set_attribute(OI_TC.format(n=0, k=0, leaf="name"), "deny")
        span.set_attribute(OI_TC.format(n=0, k=0, leaf="arguments"), '{"reason": "limit"}')
    with tracer.start_as_current_span("untagged"):
        pass
    finished = exporter.get_finished_spans()
    body = encoder.encode_spans(finished).SerializeToString()
    got = decode_traces(gzip.compress(body), PB, "gzip")
    assert (got.spans, got.ignored) == (2, 1)
    decision = got.decisions[0]
    context = finished[0].context
    assert decision["trace_id"] == format(context.trace_id, "032x")
    assert decision["span_id"] == format(context.span_id, "016x")
    assert decision["id"] == f"{decision['trace_id']}-{decision['span_id']}"
    assert decision["deployment"] == "claims-triage"
    assert decision["fields"] == {"amount": "12"}
    assert decision["output"] == "<decision>deny</decision>"
    assert decision["actions"] == [{"tool": "deny", "args": {"reason": "limit"}}]
    assert decision["time"].endswith("Z")
