"""The SDK: record live decisions on a Hawthorne server from the application.

:class:`Client` validates each decision locally, buffers it and sends it in batches from a
background thread, retrying with the same ids (the server's idempotency makes a resend
harmless), and never blocks the caller for long (:class:`BufferFull`). It also makes single
authenticated API calls (:meth:`Client.request`), for the CLI. Errors: :class:`AuthError`
(401/403), :class:`ServerError` (any other refusal, or an unreachable server).

Apps instrumented with OpenTelemetry use :mod:`hawthorne.client.otel` instead: it sets the
``hawthorne.*`` attributes on their spans and makes an OTLP/HTTP exporter for the server.

Example:
    >>> from hawthorne.client import Client
    >>> with Client("http://127.0.0.1:8765", "hwk_...") as client:  # doctest: +SKIP
    ...     client.record("soc-prod", fields={"severity": "high"}, decision="escalate")
"""

from hawthorne.client._client import AuthError, BufferFull, Client, ServerError

__all__ = ["AuthError", "BufferFull", "Client", "ServerError"]
