"""The OTLP/HTTP answer: an ``ExportTraceServiceResponse`` in the request's encoding.

Spans whose decisions were refused (invalid, unknown deployment) are reported in
``partial_success`` (OTLP/HTTP: "the server MUST respond with HTTP 200 OK" and count the
rejected spans), so an exporter does not retry what will never be accepted.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Response
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from hawthorne.server._json import AsciiJSONResponse
from hawthorne.store import ItemResult

__all__ = ["otlp_reply"]

_SHOWN_ERRORS = 3


def otlp_reply(content_type: str, results: Sequence[ItemResult]) -> Response:
    """The 200 answer for an OTLP export whose decisions were ``results``."""
    rejected = [r for r in results if r.status >= 400]
    message = "; ".join(f"{r.id}: {r.error}" for r in rejected[:_SHOWN_ERRORS])
    if len(rejected) > _SHOWN_ERRORS:
        message += f"; and {len(rejected) - _SHOWN_ERRORS} more"
    if content_type.split(";")[0].strip().lower() == "application/json":
        body = {"partialSuccess": {"rejectedSpans": len(rejected), "errorMessage": message}}
        return AsciiJSONResponse(body if rejected else {})
    reply = ExportTraceServiceResponse()
    if rejected:
        reply.partial_success.rejected_spans = len(rejected)
        reply.partial_success.error_message = message
    return Response(reply.SerializeToString(), media_type="application/x-protobuf")
