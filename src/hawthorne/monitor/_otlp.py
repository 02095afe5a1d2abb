"""OTLP/HTTP traces to decisions: the pure mapping behind ``POST /v1/traces``.

:func:`decode_traces` reads an OTLP/HTTP traces request body (an ``ExportTraceServiceRequest`` as
protobuf or as OTLP/JSON, optionally gzip-compressed) and turns every span that carries
``hawthorne.deployment`` into a plain dict, valid input for
:class:`~hawthorne.monitor._decision.DecisionIn` (keys as in the model; keys with no value are
left out). Only span attributes are read: resource and scope attributes are not decision
attributes.

Span attributes read (everything else is skipped by a cheap prefix check):

- ``hawthorne.deployment`` (required: spans without it are ignored and counted),
  ``hawthorne.decision.id`` (else ``"{trace_id}-{span_id}"``), ``hawthorne.decision``,
  ``hawthorne.fields.<name>``, ``hawthorne.protocol.suite``/``.version``,
  ``hawthorne.monitored``, ``hawthorne.segment``, ``hawthorne.reasoning``;
- OpenInference: ``llm.output_messages.0.message.content`` (or its ``contents.M`` text parts),
  else ``output.value`` when ``output.mime_type`` is absent or ``text/plain``; tool calls
  ``llm.output_messages.N.message.tool_calls.K.tool_call.function.name``/``.arguments``,
  ordered by ``(N, K)``;
- OpenTelemetry GenAI: ``gen_ai.output.messages``, a JSON list of output messages whose
  ``text``, ``tool_call`` and ``reasoning`` parts give the output, the actions and the
  reasoning.

Where both vocabularies are present, OpenInference wins field by field (output, actions).
``hawthorne.decision`` always gives the decision; output and actions are filled all the same.

A span whose mapped values are malformed (tool-call arguments that are not JSON, a
``gen_ai.output.messages`` that is not a JSON list) does not fail the body: the raw value is
passed through where the model can name it (``actions.0.args``) or, for output text, used as is.
Only a body that cannot be decoded at all raises :class:`OtlpError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

__all__ = ["MAX_DECOMPRESSED", "OtlpError", "SpanDecisions", "decode_traces"]

MAX_DECOMPRESSED = 64 * 1024 * 1024
"""The most bytes a gzip body may inflate to (a larger one is refused, not read)."""

PROTOBUF = "application/x-protobuf"
JSON = "application/json"

_DEPLOYMENT = "hawthorne.deployment"
_ID = "hawthorne.decision.id"
_DECISION = "hawthorne.decision"
_FIELDS = "hawthorne.fields."
_SUITE = "hawthorne.protocol.suite"
_VERSION = "hawthorne.protocol.version"
_MONITORED = "hawthorne.monitored"
_SEGMENT = "hawthorne.segment"
_REASONING = "hawthorne.reasoning"
_OI_MESSAGES = "llm.output_messages."
_OI_CONTENT = "llm.output_messages.0.message.content"
_OI_CONTENTS = "llm.output_messages.0.message.contents."
_OI_TOOL_CALLS = "message.tool_calls."
_OI_NAME = "tool_call.function.name"
_OI_ARGUMENTS = "tool_call.function.arguments"
_OI_VALUE = "output.value"
_OI_MIME = "output.mime_type"
_GENAI_OUTPUT = "gen_ai.output.messages"

# The attributes worth converting: one str.startswith over this tuple per attribute.
_READ = ("hawthorne.", _OI_MESSAGES, "output.", _GENAI_OUTPUT)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class OtlpError(ValueError):
    """The body cannot be decoded: a wrong content type or encoding, bad gzip, or bad bytes.

    The message says what was wrong, for the HTTP 400 (or 415) answer.
    """


@dataclass(frozen=True)
class SpanDecisions:
    """What one OTLP traces body holds, as decision inputs.

    Attributes:
        decisions: One dict per span that carries ``hawthorne.deployment``, in body order, each
            input for ``DecisionIn``.
        spans: How many spans the body holds.
        ignored: How many of them carry no ``hawthorne.deployment`` (and gave no decision).
    """

    decisions: list[dict[str, Any]]
    spans: int
    ignored: int


def decode_traces(
    body: bytes, content_type: str, content_encoding: str | None = None
) -> SpanDecisions:
    """Decode an OTLP/HTTP traces request body into decision inputs.

    Args:
        body: The request body, as received.
        content_type: The ``Content-Type`` header: ``application/x-protobuf`` or
            ``application/json`` (parameters after ``;`` are ignored).
        content_encoding: The ``Content-Encoding`` header: ``gzip``, ``identity`` or None.

    Returns:
        The decisions, with the counts of spans read and ignored.

    Raises:
        OtlpError: The content type or encoding is not supported, the gzip stream is bad or
            inflates past :data:`MAX_DECOMPRESSED`, or the body is not a decodable
            ``ExportTraceServiceRequest`` (bad protobuf, JSON that is not UTF-8 or not OTLP/JSON).
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in (PROTOBUF, JSON):
        raise OtlpError(
            f"unsupported Content-Type {content_type!r}: send {PROTOBUF} or {JSON} (OTLP/HTTP)"
        )
    data = _inflate(body, content_encoding)
    spans = _protobuf_spans(data) if kind == PROTOBUF else _json_spans(data)
    decisions: list[dict[str, Any]] = []
    total = 0
    for attrs, trace_id, span_id, start, end in spans:
        total += 1
        if attrs.get(_DEPLOYMENT) is not None:
            decisions.append(_decision(attrs, trace_id, span_id, end or start))
    return SpanDecisions(decisions=decisions, spans=total, ignored=total - len(decisions))


# --- transport ------------------------------------------------------------------------------------


def _inflate(body: bytes, content_encoding: str | None) -> bytes:
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise OtlpError(f"unsupported Content-Encoding {content_encoding!r}: send gzip or identity")
    out: list[bytes] = []
    size = 0
    rest = body
    try:
        while True:  # one pass per gzip member (concatenated members are one stream)
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = inflater.decompress(rest, MAX_DECOMPRESSED - size + 1)
            size += len(chunk)
            if size > MAX_DECOMPRESSED:
                raise OtlpError(
                    f"the gzip body inflates past {MAX_DECOMPRESSED // (1024 * 1024)} MiB"
                )
            out.append(chunk)
            if not inflater.eof:
                raise OtlpError("the gzip body is truncated")
            rest = inflater.unused_data
            if not rest:
                break
    except zlib.error as err:
        raise OtlpError(f"the body is not valid gzip: {err}") from None
    return b"".join(out)


# --- one span, as read from either encoding -------------------------------------------------------

# (attributes worth reading, trace id hex, span id hex, start ns, end ns); a time may also be
# the raw JSON value when it was not a number.
_Span = tuple[dict[str, Any], str, str, Any, Any]


def _protobuf_spans(data: bytes) -> Iterator[_Span]:
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(data)
    except DecodeError as err:
        raise OtlpError(f"the body is not a protobuf ExportTraceServiceRequest: {err}") from None
    return _walk_protobuf(request)


def _walk_protobuf(request: ExportTraceServiceRequest) -> Iterator[_Span]:
    read = _READ
    value = _pb_value
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attrs: dict[str, Any] = {}
                for kv in span.attributes:
                    key = kv.key
                    if key.startswith(read):
                        attrs[key] = value(kv.value)
                yield (
                    attrs,
                    span.trace_id.hex(),
                    span.span_id.hex(),
                    span.start_time_unix_nano,
                    span.end_time_unix_nano,
                )


def _pb_value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    if kind == "string_value":
        return v.string_value
    if kind is None:
        return None
    if kind == "bool_value":
        return v.bool_value
    if kind == "int_value":
        return v.int_value
    if kind == "double_value":
        return v.double_value
    if kind == "array_value":
        return [_pb_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _pb_value(kv.value) for kv in v.kvlist_value.values}
    if kind == "bytes_value":
        return bytes(v.bytes_value)
    return None


def _json_spans(data: bytes) -> Iterator[_Span]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise OtlpError(f"the JSON body is not UTF-8: {err}") from None
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise OtlpError(f"the body is not JSON: {err}") from None
    except RecursionError:
        raise OtlpError("the body's JSON is nested too deeply") from None
    if not isinstance(doc, dict):
        raise OtlpError("the JSON body is not an object (an OTLP/JSON ExportTraceServiceRequest)")
    # Validate the whole envelope before yielding a span: a bad body fails before any work.
    spans: list[_Span] = []
    for i, resource_spans in enumerate(_members(doc, "resourceSpans", "resource_spans", "")):
        where_r = f"resourceSpans[{i}]"
        for j, scope_spans in enumerate(
            _members(resource_spans, "scopeSpans", "scope_spans", where_r)
        ):
            where_s = f"{where_r}.scopeSpans[{j}]"
            for k, span in enumerate(_members(scope_spans, "spans", "spans", where_s)):
                spans.append(_json_span(span, f"{where_s}.spans[{k}]"))
    return iter(spans)


def _members(obj: Any, key: str, alias: str, where: str) -> list[Any]:
    if not isinstance(obj, dict):
        raise OtlpError(f"{where or 'the body'} is not a JSON object")
    items = obj.get(key)
    if items is None:
        items = obj.get(alias)
    if items is None:
        return []
    if not isinstance(items, list):
        raise OtlpError(f"{where + '.' if where else ''}{key} is not a JSON list")
    return items


def _json_span(span: Any, where: str) -> _Span:
    if not isinstance(span, dict):
        raise OtlpError(f"{where} is not a JSON object")
    attrs: dict[str, Any] = {}
    raw_attrs = span.get("attributes") or []
    if not isinstance(raw_attrs, list):
        raise OtlpError(f"{where}.attributes is not a JSON list")
    read = _READ
    for n, kv in enumerate(raw_attrs):
        if not isinstance(kv, dict) or not isinstance(kv.get("key"), str):
            raise OtlpError(f"{where}.attributes[{n}] is not a {{key, value}} object")
        key = kv["key"]
        if key.startswith(read):
            attrs[key] = _json_value(kv.get("value"))
    return (
        attrs,
        _json_id(_get(span, "traceId", "trace_id"), 16),
        _json_id(_get(span, "spanId", "span_id"), 8),
        _json_time(_get(span, "startTimeUnixNano", "start_time_unix_nano")),
        _json_time(_get(span, "endTimeUnixNano", "end_time_unix_nano")),
    )


def _get(obj: dict[str, Any], key: str, alias: str) -> Any:
    value = obj.get(key)
    return obj.get(alias) if value is None else value


def _json_id(value: Any, size: int) -> str:
    # OTLP/JSON ids are hex (case-insensitive); proto3's own JSON mapping would give base64,
    # which some encoders still send: read that too. Anything else passes through for the model
    # to name.
    if not value or not isinstance(value, str):
        return ""
    if len(value) == 2 * size:
        try:
            return bytes.fromhex(value).hex()
        except ValueError:
            return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.lower()
    return raw.hex() if len(raw) == size else value.lower()


def _json_time(value: Any) -> Any:
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # not a number: passed through so that the model names `time`


_JSON_KINDS = {
    "stringValue": "s",
    "string_value": "s",
    "boolValue": "b",
    "bool_value": "b",
    "intValue": "i",
    "int_value": "i",
    "doubleValue": "d",
    "double_value": "d",
    "arrayValue": "a",
    "array_value": "a",
    "kvlistValue": "k",
    "kvlist_value": "k",
    "bytesValue": "y",
    "bytes_value": "y",
}


def _json_value(v: Any) -> Any:
    if not isinstance(v, dict):
        return None
    for key, x in v.items():
        kind = _JSON_KINDS.get(key)
        if kind is None:
            continue
        if kind == "s" or kind == "b":
            return x
        if kind == "i":
            if isinstance(x, str):
                try:
                    return int(x)
                except ValueError:
                    return x
            return x
        if kind == "d":
            if isinstance(x, str):  # proto3 JSON spells NaN and infinities as strings
                try:
                    return float(x)
                except ValueError:
                    return x
            return x
        if kind == "a":
            values = x.get("values") if isinstance(x, dict) else None
            return [_json_value(e) for e in values] if isinstance(values, list) else []
        if kind == "k":
            values = x.get("values") if isinstance(x, dict) else None
            if not isinstance(values, list):
                return {}
            return {
                e["key"]: _json_value(e.get("value"))
                for e in values
                if isinstance(e, dict) and isinstance(e.get("key"), str)
            }
        if isinstance(x, str):  # bytesValue: base64
            try:
                return base64.b64decode(x)
            except (binascii.Error, ValueError):
                return x
        return x
    return None


# --- the mapping ----------------------------------------------------------------------------------


def _decision(attrs: dict[str, Any], trace_id: str, span_id: str, time: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    explicit_id = attrs.get(_ID)
    if explicit_id is not None:
        out["id"] = _text(explicit_id)
    elif trace_id and span_id:
        out["id"] = f"{trace_id}-{span_id}"
    out["deployment"] = _text(attrs[_DEPLOYMENT])
    if time:
        out["time"] = _iso(time)
    suite, version = attrs.get(_SUITE), attrs.get(_VERSION)
    if suite is not None or version is not None:
        out["protocol"] = {
            "suite": None if suite is None else _text(suite),
            "version": None if version is None else _text(version),
        }
    fields = {
        key[len(_FIELDS) :]: _text(v)
        for key, v in attrs.items()
        if v is not None and key.startswith(_FIELDS)
    }
    if fields:
        out["fields"] = fields
    decision = attrs.get(_DECISION)
    if decision is not None:
        out["decision"] = _text(decision)

    output, actions = _openinference(attrs)
    reasoning: str | None = None
    if _GENAI_OUTPUT in attrs and (output is None or actions is None):
        g_output, g_actions, g_reasoning = _genai(attrs[_GENAI_OUTPUT])
        output = g_output if output is None else output
        actions = g_actions if actions is None else actions
        reasoning = g_reasoning if reasoning is None else reasoning
    if output is not None:
        out["output"] = output
    if actions:
        out["actions"] = actions
    explicit_reasoning = attrs.get(_REASONING)
    if explicit_reasoning is not None:
        out["reasoning"] = _text(explicit_reasoning)
    elif reasoning is not None:
        out["reasoning"] = reasoning
    monitored = attrs.get(_MONITORED)
    if monitored is not None:
        out["monitored"] = _flag(monitored)
    segment = attrs.get(_SEGMENT)
    if segment is not None:
        out["segment"] = _text(segment)
    if trace_id:
        out["trace_id"] = trace_id
    if span_id:
        out["span_id"] = span_id
    return out


def _openinference(attrs: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
    output: str | None = None
    content = attrs.get(_OI_CONTENT)
    if content is not None:
        output = _text(content)
    calls: dict[tuple[int, int], dict[str, Any]] = {}
    parts: dict[int, dict[str, Any]] = {}
    for key, v in attrs.items():
        if not key.startswith(_OI_MESSAGES):
            continue
        if key.startswith(_OI_CONTENTS):
            m, _, leaf = key[len(_OI_CONTENTS) :].partition(".")
            if m.isdigit() and leaf.startswith("message_content."):
                parts.setdefault(int(m), {})[leaf[len("message_content.") :]] = v
            continue
        n, _, rest = key[len(_OI_MESSAGES) :].partition(".")
        if not n.isdigit() or not rest.startswith(_OI_TOOL_CALLS):
            continue
        k, _, leaf = rest[len(_OI_TOOL_CALLS) :].partition(".")
        if not k.isdigit():
            continue
        if leaf == _OI_NAME:
            calls.setdefault((int(n), int(k)), {})["tool"] = v
        elif leaf == _OI_ARGUMENTS:
            calls.setdefault((int(n), int(k)), {})["args"] = v
    if output is None and parts:
        texts = [
            _text(p["text"])
            for _, p in sorted(parts.items())
            if p.get("text") is not None and p.get("type", "text") == "text"
        ]
        if texts:
            output = "\n".join(texts)
    if output is None:
        value = attrs.get(_OI_VALUE)
        mime = attrs.get(_OI_MIME)
        if value is not None and (
            mime is None or str(mime).split(";", 1)[0].strip().lower() == "text/plain"
        ):
            output = _text(value)
    actions = None
    if calls:
        actions = [_action(call.get("tool"), call.get("args")) for _, call in sorted(calls.items())]
    return output, actions


def _genai(value: Any) -> tuple[str | None, list[dict[str, Any]] | None, str | None]:
    # gen_ai.output.messages, per the OpenTelemetry GenAI semantic conventions' output-messages
    # JSON schema (open-telemetry/semantic-conventions, docs/gen-ai/gen-ai-output-messages.json):
    # a list of OutputMessage {role, parts, finish_reason}; parts are TextPart {type: "text",
    # content}, ToolCallRequestPart {type: "tool_call", id?, name, arguments (any JSON value,
    # often an object; some instrumentations send a JSON string)}, ReasoningPart {type:
    # "reasoning", content}, and others (tool_call_response, blob, uri, file, ...) not read here.
    messages = value
    if isinstance(value, str):
        try:
            messages = json.loads(value)
        except (ValueError, RecursionError):
            # Not JSON (often a value cut by an attribute length limit): the text as it is.
            return value, None, None
    if isinstance(messages, dict):
        messages = [messages]
    if not isinstance(messages, list):
        return (value if isinstance(value, str) else None), None, None
    texts: list[str] = []
    actions: list[dict[str, Any]] = []
    thoughts: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role", "assistant") != "assistant":
            continue
        parts = message.get("parts")
        if not isinstance(parts, list):
            continue
        for part in parts:
            if not isinstance(part, dict):
                continue
            kind = part.get("type")
            if kind == "text":
                if part.get("content") is not None:
                    texts.append(_text(part["content"]))
            elif kind == "tool_call":
                actions.append(_action(part.get("name"), part.get("arguments")))
            elif kind == "reasoning" and part.get("content") is not None:
                thoughts.append(_text(part["content"]))
    return (
        "\n".join(texts) if texts else None,
        actions or None,
        "\n".join(thoughts) if thoughts else None,
    )


def _action(tool: Any, args: Any) -> dict[str, Any]:
    action: dict[str, Any] = {}
    if tool is not None:
        action["tool"] = _text(tool)
    action["args"] = _args(args)
    return action


def _args(args: Any) -> Any:
    if args is None or args == "":
        return {}
    parsed = args
    if isinstance(args, str):
        try:
            parsed = json.loads(args)
        except (ValueError, RecursionError):
            return args  # not JSON: passed through, so that the model names actions.N.args
    if not isinstance(parsed, dict):
        return args  # JSON but not an object: likewise
    return {str(k): _arg_text(v) for k, v in parsed.items()}


def _arg_text(value: Any) -> str:
    # A JSON value as text: strings as they are, anything else JSON-encoded.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    return _dumps(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return _dumps(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_text)


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        low = value.strip().lower()
        if low == "true":
            return True
        if low == "false":
            return False
    return value  # a bool, or something the model will name


def _iso(ns: Any) -> Any:
    if not isinstance(ns, int):
        return ns
    try:
        moment = _EPOCH + timedelta(microseconds=ns // 1000)
    except OverflowError:
        return ns  # past year 9999: the model names `time`
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
