"""The OpenTelemetry helpers with the real SDK and OTLP/HTTP exporter, against the real server."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hawthorne.client.otel import annotate, decision_attributes, exporter

OUTPUT = "llm.output_messages.0.message.content"


def test_decision_attributes_are_the_hawthorne_ones() -> None:
    attrs = decision_attributes(
        "soc-prod",
        fields={"severity": "high", "internal": True, "count": 3, "gone": None},
        decision="escalate",
        decision_id="d1",
        protocol_suite="soc-triage",
        protocol_version="2",
        monitored=False,
        segment="eu",
        reasoning="because",
    )
    assert attrs == {
        "hawthorne.deployment": "soc-prod",
        "hawthorne.fields.severity": "high",
        "hawthorne.fields.internal": "true",
        "hawthorne.fields.count": "3",
        "hawthorne.decision": "escalate",
        "hawthorne.decision.id": "d1",
        "hawthorne.protocol.suite": "soc-triage",
        "hawthorne.protocol.version": "2",
        "hawthorne.monitored": False,
        "hawthorne.segment": "eu",
        "hawthorne.reasoning": "because",
    }
    assert decision_attributes("soc-prod") == {"hawthorne.deployment": "soc-prod"}
    with pytest.raises(ValueError, match="deployment"):
        decision_attributes("")


def test_annotated_spans_are_counted_with_their_outcomes(soc_prod, streams, cases) -> None:  # type: ignore[no-untyped-def]
    provider = TracerProvider()
    provider.add_span_processor(
        SimpleSpanProcessor(exporter(soc_prod.url, soc_prod.keys["ingest"]))
    )
    tracer = provider.get_tracer("app")
    followed = cases(2)
    (legacy_fields, legacy), *_ = cases(1, protocol=False)
    for fields, decision in [*followed, (legacy_fields, legacy)]:
        with tracer.start_as_current_span("triage") as span:
            annotate(span, "soc-prod", fields=fields, protocol_version="2", monitored=False)
            span.set_attribute(OUTPUT, f"<decision>{decision}</decision>")
    for _ in range(2):  # one decision id twice: one decision
        with tracer.start_as_current_span("triage") as span:
            annotate(span, "soc-prod", fields=followed[0][0], decision_id="same", segment="eu")
            span.set_attribute(OUTPUT, f"<decision>{followed[0][1]}</decision>")
    with tracer.start_as_current_span("unrelated") as span:  # no hawthorne.deployment: ignored
        span.set_attribute(OUTPUT, "<decision>close</decision>")
    provider.shutdown()
    by_segment = {s["segment"]: s for s in streams()}
    assert by_segment["default"]["seen"] == 3
    assert by_segment["default"]["outcomes"] == {"protocol": 2, "legacy": 1}
    assert by_segment["eu"]["seen"] == 1 and by_segment["eu"]["outcomes"] == {"protocol": 1}


def test_the_exporter_sends_the_key_and_fails_with_a_wrong_one(soc_prod, streams, cases) -> None:  # type: ignore[no-untyped-def]
    finished = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(finished))
    (fields, decision), *_ = cases(1)
    with provider.get_tracer("app").start_as_current_span("triage") as span:
        annotate(span, "soc-prod", fields=fields, decision=decision)
    spans = finished.get_finished_spans()
    wrong = exporter(soc_prod.url, "hwk_wrong_key")
    assert wrong.export(spans) == SpanExportResult.FAILURE
    assert streams() == []
    right = exporter(soc_prod.url, soc_prod.keys["ingest"], timeout=5)
    assert right.export(spans) == SpanExportResult.SUCCESS
    assert streams()[0]["outcomes"] == {"protocol": 1}
    for done in (wrong, right):
        done.shutdown()
    provider.shutdown()


def test_the_exporter_needs_a_key_and_a_plain_url(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("HAWTHORNE_API_KEY", raising=False)
    with pytest.raises(ValueError, match="HAWTHORNE_API_KEY"):
        exporter("http://127.0.0.1:8765")
    with pytest.raises(ValueError, match="^endpoint"):
        exporter("http://127.0.0.1:8765", "hwk_k", endpoint="http://elsewhere/v1/traces")
    with pytest.raises(ValueError, match="^url"):
        exporter("ftp://127.0.0.1", "hwk_k")


def test_the_client_imports_without_the_sdk() -> None:
    code = textwrap.dedent(
        """
        import sys

        class Missing:
            def find_spec(self, name, path=None, target=None):
                if name.startswith(("opentelemetry.sdk", "opentelemetry.exporter")):
                    raise ImportError(f"No module named {name!r}")
                return None

        sys.meta_path.insert(0, Missing())
        import hawthorne.client
        from hawthorne.client import otel

        assert otel.decision_attributes("soc-prod") == {"hawthorne.deployment": "soc-prod"}
        try:
            otel.exporter("http://127.0.0.1:8765", "hwk_k")
        except ImportError as err:
            print(err)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install opentelemetry-exporter-otlp-proto-http" in out.stdout
