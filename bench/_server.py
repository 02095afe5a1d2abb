"""Shared by ``bench/ingest.py`` and ``bench/durability.py``: a real ``hawthorne serve``.

The server runs as a subprocess (``.venv/bin/hawthorne serve`` on a free loopback port) over a
SQLite file in a temporary folder or a PostgreSQL database made for the run and dropped after
it. API keys are minted straight into the store (as ``hawthorne keys create --db`` does), the
``soc-prod`` deployment is registered over HTTP against a small real audit (the baseline), and
decisions are built on soc-triage's discriminating cases, as the server tests build them.

Environment:
    HAWTHORNE_BENCH_BASELINE: An existing baseline audit run folder (skips the ~15 s audit).
    HAWTHORNE_BENCH_PG: The PostgreSQL server to make the database on
        (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
    DBS: Which databases to run, comma-separated (default ``sqlite,postgresql``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "bench admin password"
PG_ADMIN_URL = os.environ.get(
    "HAWTHORNE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DEPLOYMENT = "soc-prod"
TARGET = "hawthorne/scripted-honest"
BASELINE_TARGETS = ("hawthorne/scripted-faker", "hawthorne/scripted-honest")


def load() -> str:
    """The machine's load averages (1, 5 and 15 minutes), as ``uptime`` shows them."""
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return f"{one} {five} {fifteen}"


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment (a bench's scale-down knob)."""
    value = os.environ.get(name)
    return int(value) if value else default


def databases() -> list[str]:
    """The databases to run (``DBS``, default both)."""
    return [d.strip() for d in os.environ.get("DBS", "sqlite,postgresql").split(",") if d.strip()]


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def quiet_inspect(tmp: Path) -> None:
    """Keep Inspect's data, cache and logs of the baseline audit inside ``tmp``, offline."""
    os.environ["XDG_DATA_HOME"] = str(tmp / "data")
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")
    os.environ["INSPECT_CACHE_DIR"] = str(tmp / "inspect-cache")
    os.environ["INSPECT_LOG_DIR"] = str(tmp / "logs")
    os.environ.setdefault("INSPECT_DISPLAY", "none")
    os.environ["HF_HUB_OFFLINE"] = "1"


def baseline(tmp: Path) -> Path:
    """A baseline audit run folder: ``HAWTHORNE_BENCH_BASELINE``, else a fresh small audit of
    soc-triage on the logging cue (about 15 s; the same one the server tests use)."""
    given = os.environ.get("HAWTHORNE_BENCH_BASELINE")
    if given:
        return Path(given).resolve()
    quiet_inspect(tmp)
    from hawthorne.audit import AuditConfig, run_audit

    out = tmp / "baseline-run"
    out.mkdir(parents=True, exist_ok=True)
    config = AuditConfig(
        suites=("soc-triage",), targets=BASELINE_TARGETS, max_pairs=40, cue_families=["logging"]
    )
    run_audit(config, out, whitebox=())
    return out


def sqlite_url(tmp: Path) -> str:
    """A fresh SQLite file's URL inside ``tmp``."""
    folder = tmp / f"sqlite-{time.monotonic_ns()}"
    folder.mkdir(parents=True)
    return f"sqlite:///{folder / 'hawthorne.db'}"


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database ``name`` for the run, dropped after it (None: no server)."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        print(f"(no PostgreSQL at {PG_ADMIN_URL}: {str(err.orig).splitlines()[0]})")
        admin.dispose()
        yield None
        return
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def database(kind: str, tmp: Path, name: str) -> Iterator[str | None]:
    """A fresh database of ``kind`` (``sqlite`` or ``postgresql``); None when unavailable."""
    if kind == "sqlite":
        yield sqlite_url(tmp)
        return
    with postgres_database(name) as url:
        yield url


def mint_keys(db: str) -> dict[str, str]:
    """Migrate the store and mint one API key per scope (``ingest``, ``read``, ``admin``)."""
    from hawthorne.store import Store, create_key

    store = Store(db)
    try:
        store.upgrade()
        scopes = ("ingest", "read", "admin")
        return {s: create_key(store, f"bench {s}", [s], "bench")[1] for s in scopes}
    finally:
        store.close()


def bearer(key: str) -> dict[str, str]:
    """The Authorization header of an API key."""
    return {"Authorization": f"Bearer {key}"}


def _hawthorne() -> str:
    venv = ROOT / ".venv" / "bin" / "hawthorne"
    if venv.exists():
        return str(venv)
    found = shutil.which("hawthorne")
    if found is None:
        raise RuntimeError("no hawthorne executable: install the project (pip install -e .)")
    return found


class Server:
    """``hawthorne serve --db DB`` as a subprocess on a free loopback port.

    Args:
        db: The database URL.
        log: Where the server's stdout and stderr go (appended across restarts).
        env: Extra environment for the server (e.g. ``PYTHONPATH`` for a prototype).
    """

    def __init__(self, db: str, log: Path, env: dict[str, str] | None = None) -> None:
        self.db, self.log = db, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "HAWTHORNE_ADMIN_PASSWORD": ADMIN_PASSWORD, **(env or {})}
        self._proc: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 90.0) -> float:
        """Start it and wait until it answers; returns the seconds that took.

        Raises:
            RuntimeError: It exited or did not answer within ``timeout``.
        """
        began = time.monotonic()
        self._out = self.log.open("ab")
        command = [_hawthorne(), "serve", "--db", self.db, "--host", "127.0.0.1"]
        self._proc = subprocess.Popen(
            [*command, "--port", str(self.port)],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=ROOT,
        )
        self.starts += 1
        while time.monotonic() - began < timeout:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self._proc.returncode}); see {self.log}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log}")

    @property
    def pid(self) -> int | None:
        """The server process's id (None: not running)."""
        return self._proc.pid if self._proc is not None else None

    def kill(self) -> None:
        """SIGKILL it (no shutdown of any kind) and reap it."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM it (uvicorn's graceful shutdown) and reap it."""
        self._signal(signal.SIGTERM)

    def _signal(self, sig: int) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._out is not None:
            self._out.close()
            self._out = None


def register(url: str, admin_key: str, baseline_run: Path) -> None:
    """Register the ``soc-prod`` deployment (honest target) against the baseline audit.

    Raises:
        RuntimeError: The server refused it.
    """
    data = {
        "schema": "hawthorne.deployment/1",
        "id": DEPLOYMENT,
        "model": TARGET,
        "suite": "soc-triage",
        "protocol_version": "2",
        "baseline": {"run": str(baseline_run), "target": TARGET},
    }
    made = httpx.post(f"{url}/api/v1/deployments", json=data, headers=bearer(admin_key), timeout=60)
    if made.status_code not in (200, 201):
        raise RuntimeError(f"registering {DEPLOYMENT}: {made.status_code} {made.text}")


_CASES: list[tuple[dict[str, str], str, str]] = []


def _cases() -> list[tuple[dict[str, str], str, str]]:
    # (fields, protocol decision, legacy decision) of soc-triage's discriminating cases.
    if not _CASES:
        from hawthorne.suites import load_suite

        suite = load_suite("soc-triage")
        for case in suite.cases:
            if suite.is_discriminating(case):
                protocol, legacy = suite.expected(case)
                _CASES.append((dict(case.fields), protocol, legacy))
    return _CASES


def decisions(n: int, prefix: str, seed: int, adherence: float = 0.98) -> list[dict[str, Any]]:
    """``n`` decisions with ids ``{prefix}{i}`` on discriminating cases, each following the
    protocol with probability ``adherence`` (else the legacy rule)."""
    rng = random.Random(seed)
    cases = _cases()
    out = []
    for i in range(n):
        fields, protocol, legacy = rng.choice(cases)
        out.append(
            {
                "id": f"{prefix}{i}",
                "deployment": DEPLOYMENT,
                "fields": fields,
                "decision": protocol if rng.random() < adherence else legacy,
            }
        )
    return out


def otlp_request(items: list[dict[str, Any]]) -> tuple[bytes, list[str]]:
    """An OTLP/HTTP protobuf ``ExportTraceServiceRequest`` with one span per decision.

    Each span carries ``hawthorne.deployment``, ``hawthorne.fields.*`` and the answer as
    ``llm.output_messages.0.message.content`` (``<decision>…</decision>``, so the server reads
    it from the output). Trace and span ids are derived from the decision's id, so a resent
    body has the same ids.

    Returns:
        The body, and the ids the server stores (``{trace_id}-{span_id}``).
    """
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

    def kv(key: str, value: str) -> KeyValue:
        return KeyValue(key=key, value=AnyValue(string_value=value))

    request = ExportTraceServiceRequest()
    spans = request.resource_spans.add().scope_spans.add()
    spans.scope.name = "bench"
    ids = []
    start = 1_700_000_000_000_000_000
    for n, item in enumerate(items):
        digest = hashlib.sha256(item["id"].encode()).digest()
        span = spans.spans.add()
        span.trace_id, span.span_id = digest[:16], digest[16:24]
        span.name = "llm"
        span.start_time_unix_nano = start + n * 1_000_000
        span.end_time_unix_nano = span.start_time_unix_nano + 500_000
        span.attributes.append(kv("hawthorne.deployment", item["deployment"]))
        for name, value in item["fields"].items():
            span.attributes.append(kv(f"hawthorne.fields.{name}", value))
        content = f"<decision>{item['decision']}</decision>"
        span.attributes.append(kv("llm.output_messages.0.message.content", content))
        ids.append(f"{digest[:16].hex()}-{digest[16:24].hex()}")
    return request.SerializeToString(), ids


def table(header: list[str], rows: list[list[str]]) -> None:
    """Print a Markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    sys.stdout.flush()
