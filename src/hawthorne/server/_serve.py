"""``hawthorne serve``: migrate the store, create the first admin, run the app on uvicorn."""

from __future__ import annotations

import gc
import ipaddress
from collections.abc import Callable

import uvicorn

from hawthorne.server._app import create_app
from hawthorne.shadow import ShadowWorker
from hawthorne.store import Store, ensure_admin

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "is_loopback", "serve"]

DEFAULT_HOST = "127.0.0.1"
"""Loopback: reachable only from this machine until the operator says otherwise."""
DEFAULT_PORT = 8765
"""The default port."""
SHADOW_INTERVAL = 30.0


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    db: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    say: Callable[[str], None] = print,
) -> None:
    """Run the server until interrupted.

    Args:
        db: The database URL (None: the embedded SQLite default).
        host: The address to bind.
        port: The port.
        say: Where start-up lines go (the one-time admin password among them).

    Raises:
        StoreError: The database cannot be reached or migrated.
    """
    store = Store(db)
    store.upgrade()
    password = ensure_admin(store)
    say(f"store: {store!r}, migrated to revision {store.revision()}")
    if password is not None:
        say(f"created account admin with password {password} (shown once; change it)")
    if not is_loopback(host):
        say(f"warning: binding {host} without TLS: put a TLS-terminating proxy in front")
    say(f"serving http://{host}:{port} (API schema at /openapi.json)")
    app = create_app(store)
    # Everything loaded so far lives as long as the server: keep it out of the collector's
    # scans (measured: a seventh of an ingest batch's time went to cyclic collection).
    gc.collect()
    gc.freeze()
    # Deployments with shadow.rate > 0 get their sampled decisions re-asked in the background.
    shadows = ShadowWorker(app.state.registry, interval=SHADOW_INTERVAL)
    shadows.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        shadows.stop(timeout=60)
