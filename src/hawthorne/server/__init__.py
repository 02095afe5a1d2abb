"""The server: a FastAPI app over the store, run by ``hawthorne serve`` on uvicorn.

:func:`create_app` builds the JSON API (every endpoint authenticated by an API key or an
account; the OpenAPI schema at ``/openapi.json``); :func:`serve` migrates the store, creates
the first ``admin`` account and runs it, on 127.0.0.1:8765 by default.
"""

from hawthorne.server._app import MAX_BATCH, MAX_BODY, create_app
from hawthorne.server._serve import DEFAULT_HOST, DEFAULT_PORT, is_loopback, serve

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_BATCH",
    "MAX_BODY",
    "create_app",
    "is_loopback",
    "serve",
]
