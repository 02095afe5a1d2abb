"""OpenTelemetry helpers: mark the caller's spans as Hawthorne decisions, export them to a server.

A span counts as a decision on the server (``POST /v1/traces``) when it carries
``hawthorne.deployment``; :func:`decision_attributes` builds that attribute and the other
``hawthorne.*`` ones (case fields, protocol, segment...), :func:`annotate` sets them on a span,
and :func:`exporter` makes an OTLP/HTTP span exporter pointed at the server with its API key.
The decision itself is ``hawthorne.decision`` when given, else the server reads the span's
output message (OpenInference ``llm.output_messages.0.message.content`` or GenAI
``gen_ai.output.messages``), as the app's instrumentation already records it.

Only :func:`exporter` needs more than ``opentelemetry-api``: the OTLP/HTTP exporter
(``pip install opentelemetry-exporter-otlp-proto-http``), imported when it is called.

Example:
    >>> from opentelemetry import trace  # doctest: +SKIP
    >>> from opentelemetry.sdk.trace import TracerProvider
    >>> from opentelemetry.sdk.trace.export import BatchSpanProcessor
    >>> provider = TracerProvider()
    >>> provider.add_span_processor(BatchSpanProcessor(exporter()))
    >>> with provider.get_tracer("app").start_as_current_span("triage") as span:
    ...     annotate(span, "soc-prod", fields={"severity": "high"}, decision="escalate")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hawthorne.client._client import resolve_key, resolve_url

if TYPE_CHECKING:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.trace import Span

__all__ = ["annotate", "decision_attributes", "exporter"]

_INSTALL = "pip install opentelemetry-exporter-otlp-proto-http"


def decision_attributes(
    deployment: str,
    *,
    fields: Mapping[str, object] | None = None,
    decision: str | None = None,
    decision_id: str | None = None,
    protocol_suite: str | None = None,
    protocol_version: str | None = None,
    monitored: bool | None = None,
    segment: str | None = None,
    reasoning: str | None = None,
) -> dict[str, str | bool]:
    """The ``hawthorne.*`` span attributes of a decision (arguments left None are left out).

    Args:
        deployment: The deployment's id (``hawthorne.deployment``).
        fields: The case fields (``hawthorne.fields.<name>``; values as text, booleans as
            ``true``/``false``; None values are left out).
        decision: The decision, when the app knows it (else the server reads the output).
        decision_id: The idempotency id (default on the server: ``{trace_id}-{span_id}``).
        protocol_suite: The suite the app believes is active.
        protocol_version: The protocol version the app believes is active.
        monitored: Whether the model was told it is watched.
        segment: Tenant, region or any other split.
        reasoning: The model's reasoning.

    Returns:
        Attribute name -> value.

    Raises:
        ValueError: ``deployment`` or a field name is empty.
    """
    if not deployment:
        raise ValueError("deployment: give the deployment's id")
    attrs: dict[str, str | bool] = {"hawthorne.deployment": deployment}
    for name, value in (fields or {}).items():
        if not name:
            raise ValueError("fields: a field name is empty")
        if value is not None:
            attrs[f"hawthorne.fields.{name}"] = _text(value)
    optional: dict[str, str | bool | None] = {
        "hawthorne.decision": decision,
        "hawthorne.decision.id": decision_id,
        "hawthorne.protocol.suite": protocol_suite,
        "hawthorne.protocol.version": protocol_version,
        "hawthorne.monitored": monitored,
        "hawthorne.segment": segment,
        "hawthorne.reasoning": reasoning,
    }
    attrs.update({k: v for k, v in optional.items() if v is not None})
    return attrs


def annotate(
    span: Span,
    deployment: str,
    *,
    fields: Mapping[str, object] | None = None,
    decision: str | None = None,
    decision_id: str | None = None,
    protocol_suite: str | None = None,
    protocol_version: str | None = None,
    monitored: bool | None = None,
    segment: str | None = None,
    reasoning: str | None = None,
) -> None:
    """Set a decision's ``hawthorne.*`` attributes on an OpenTelemetry span.

    Args:
        span: The span (any ``opentelemetry.trace.Span``; a non-recording one ignores them).
        deployment: The deployment's id.
        fields: The case fields.
        decision: The decision, when the app knows it.
        decision_id: The idempotency id.
        protocol_suite: The suite the app believes is active.
        protocol_version: The protocol version the app believes is active.
        monitored: Whether the model was told it is watched.
        segment: Tenant, region or any other split.
        reasoning: The model's reasoning.

    Raises:
        ValueError: ``deployment`` or a field name is empty.
    """
    span.set_attributes(
        decision_attributes(
            deployment,
            fields=fields,
            decision=decision,
            decision_id=decision_id,
            protocol_suite=protocol_suite,
            protocol_version=protocol_version,
            monitored=monitored,
            segment=segment,
            reasoning=reasoning,
        )
    )


def exporter(url: str | None = None, api_key: str | None = None, **kw: Any) -> OTLPSpanExporter:
    """An OTLP/HTTP span exporter that sends to a Hawthorne server's ``/v1/traces``.

    Args:
        url: The server's base URL (default: ``HAWTHORNE_SERVER``, else
            ``http://127.0.0.1:8765``).
        api_key: An API key with scope ``ingest`` (default: ``HAWTHORNE_API_KEY``).
        **kw: More arguments for ``OTLPSpanExporter`` (``timeout``, ``compression``,
            ``headers`` to add...); ``endpoint`` is set here.

    Returns:
        The exporter, for a ``BatchSpanProcessor`` or ``SimpleSpanProcessor``.

    Raises:
        ImportError: The OTLP/HTTP exporter is not installed.
        ValueError: No API key was given, or the URL is not http(s).
    """
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as err:
        raise ImportError(
            f"hawthorne.client.otel.exporter needs the OTLP/HTTP span exporter: {_INSTALL}"
        ) from err
    if "endpoint" in kw:
        raise ValueError("endpoint: give the server's base URL as url (/v1/traces is added)")
    base = resolve_url(url)
    key = resolve_key(api_key)
    if key is None:
        raise ValueError("no API key: set HAWTHORNE_API_KEY or pass api_key (scope ingest)")
    headers = {**dict(kw.pop("headers", None) or {}), "Authorization": f"Bearer {key}"}
    return OTLPSpanExporter(endpoint=f"{base}/v1/traces", headers=headers, **kw)


def _text(value: object) -> str:
    # Field values are compared as text by the decide tables (as the JSON API's are).
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)
