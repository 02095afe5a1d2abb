"""Ingest throughput: batches of 1,000 decisions over HTTP on loopback, every one checked and
committed, on SQLite and PostgreSQL; and where a batch's time goes.

For each database a real ``hawthorne serve`` runs as a subprocess (one process, one uvicorn
worker) and ``soc-prod`` is registered against a small real audit. A load generator in this
process (CLIENTS threads, one keep-alive ``httpx.Client`` each; bodies serialised before the
clock starts) then sends

- ``POST /api/v1/decisions`` with ``{"batch": [1,000 decisions]}``: every item must come back
  201 (checked by the oracle and committed) or the bench fails;
- ``POST /v1/traces`` with OTLP/HTTP protobuf ``ExportTraceServiceRequest`` bodies of 1,000
  spans (``hawthorne.deployment``, ``hawthorne.fields.*``,
  ``llm.output_messages.0.message.content = "<decision>…</decision>"``): none may be rejected,
  and the monitor's ``seen`` must count them all afterwards.

Then, in this process and on the same database, it splits one batch's time: the body's parse
(``json.loads``; for OTLP ``decode_traces``), the store's ingest path (``hawthorne.store.record``
mirrored stage by stage with a clock around each: validate, check, append (dedupe + insert), fold,
commit), Python's cyclic garbage collector (timed through ``gc.callbacks`` and taken out of the
stage it struck in), the key lookup and the 207 answer's JSON; the rest of the mean one-client
HTTP latency is uvicorn (h11), FastAPI/Starlette, the thread-pool hop, loopback and the client.
Last, a cProfile of ``record`` by own time (with the collector's survivors frozen, so that its
time is not booked to whatever builtin allocated when it struck).

Environment (to scale down): ``N_BATCHES`` (native batches per database, default 40),
``OTLP_BATCHES`` (default 20), ``CLIENTS`` (default 2), ``BATCH`` (default 1000),
``PROFILE_BATCHES`` (default 20; ``PROFILE=0`` skips the breakdown), ``DBS``
(``sqlite,postgresql``), ``HAWTHORNE_BENCH_BASELINE`` (reuse an audit run folder),
``SERVER_PYTHONPATH`` (put a prototype's ``src`` first on the server's path, to measure a
proposed change without touching the tree; ``HB_PROTO`` and other variables pass through).

Run: ``python bench/ingest.py``. Prints Markdown tables; the machine's load average is printed
beside every figure (other processes share the two cores).
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import json
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (  # noqa: E402
    DEPLOYMENT,
    Server,
    baseline,
    bearer,
    database,
    databases,
    decisions,
    env_int,
    load,
    mint_keys,
    otlp_request,
    register,
    table,
)

N_BATCHES = env_int("N_BATCHES", 40)
OTLP_BATCHES = env_int("OTLP_BATCHES", 20)
CLIENTS = env_int("CLIENTS", 2)
BATCH = env_int("BATCH", 1000)
PROFILE_BATCHES = env_int("PROFILE_BATCHES", 20)
PROFILE = env_int("PROFILE", 1)
SERIAL_BATCHES = 10
WARMUP = 2


@dataclass
class Throughput:
    """One load run: items sent and acknowledged, the wall time, and the load average."""

    items: int
    seconds: float
    load: str
    latencies: list[float]

    @property
    def rate(self) -> float:
        """Items per second."""
        return self.items / self.seconds

    @property
    def mean_s(self) -> float:
        """Mean request latency in seconds."""
        return sum(self.latencies) / len(self.latencies)

    @property
    def p50_ms(self) -> float:
        """Median request latency in milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[len(ordered) // 2]


def _native_bodies(prefix: str, n: int) -> list[bytes]:
    return [
        json.dumps({"batch": decisions(BATCH, f"{prefix}{b}-", seed=b)}).encode() for b in range(n)
    ]


def _otlp_bodies(prefix: str, n: int) -> list[bytes]:
    return [otlp_request(decisions(BATCH, f"{prefix}{b}-", seed=b))[0] for b in range(n)]


def _check_native(reply: httpx.Response) -> None:
    if reply.status_code != 207:
        raise RuntimeError(f"decisions: {reply.status_code} {reply.text[:300]}")
    statuses = [r["status"] for r in reply.json()["results"]]
    if len(statuses) != BATCH or any(s != 201 for s in statuses):
        bad = sorted({s for s in statuses if s != 201})
        raise RuntimeError(f"decisions: {len(statuses)} results, statuses {bad} besides 201")


def _check_otlp(reply: httpx.Response) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceResponse,
    )

    if reply.status_code != 200:
        raise RuntimeError(f"traces: {reply.status_code} {reply.text[:300]}")
    answer = ExportTraceServiceResponse.FromString(reply.content)
    if answer.partial_success.rejected_spans:
        raise RuntimeError(f"traces: rejected {answer.partial_success.error_message}")


def drive(
    url: str,
    path: str,
    headers: dict[str, str],
    bodies: Sequence[bytes],
    check: Callable[[httpx.Response], None],
    clients: int,
) -> Throughput:
    """Send ``bodies`` from ``clients`` keep-alive clients at once; every answer is checked.

    Returns:
        Items acknowledged per wall second (from the first send to the last answer).
    """
    lock = threading.Lock()
    pending = list(reversed(bodies))
    latencies: list[float] = []

    def client() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
            while True:
                with lock:
                    if not pending:
                        return
                    body = pending.pop()
                began = time.perf_counter()
                reply = http.post(path, content=body)
                took = time.perf_counter() - began
                check(reply)
                with lock:
                    latencies.append(took)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for done in [pool.submit(client) for _ in range(clients)]:
            done.result()
    return Throughput(len(bodies) * BATCH, time.perf_counter() - began, load(), latencies)


# --- where one batch's time goes --------------------------------------------------------------


class GcClock:
    """Seconds spent in Python's cyclic garbage collector, summed from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.total = 0.0
        self._began = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._began

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


STAGES = ("validate", "check", "append", "fold", "commit")


class Stages:
    """Seconds per stage, the collector's time taken out of each and shown on its own."""

    def __init__(self, clock: GcClock) -> None:
        self.clock = clock
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as ``name`` (less any collection inside it, booked as ``gc``)."""
        began, collected = time.perf_counter(), self.clock.total
        try:
            yield
        finally:
            gc_part = self.clock.total - collected
            self.add(name, time.perf_counter() - began - gc_part)
            self.add("gc", gc_part)

    def add(self, name: str, seconds: float) -> None:
        """Book ``seconds`` to ``name``."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def timed_record(registry: Any, batch: Sequence[object], source: str, stages: Stages) -> None:
    """``hawthorne.store.record`` stage by stage, with a clock around each stage.

    It mirrors ``hawthorne.store._ingest.record`` (its private helpers, in the same order, in
    one transaction) so that the stages add up to what ``record`` costs; the breakdown prints
    ``record`` itself beside their sum.
    """
    from hawthorne.store import _ingest
    from hawthorne.store._findings import raise_alarms

    live = registry.require(DEPLOYMENT)
    inner = live.checker.check
    checking = [0.0]

    def check(item: Any) -> Any:
        began, collected = time.perf_counter(), stages.clock.total
        try:
            return inner(item)
        finally:
            checking[0] += time.perf_counter() - began - (stages.clock.total - collected)

    live.checker.check = check  # an instance attribute on this checker, removed below
    accepted: list[Any] = []
    try:
        with stages.stage("validate"):
            lookup = _ingest._deployments(registry)
            for index, raw in enumerate(batch):
                a, error = _ingest._validate(raw, index, lookup)
                if error is not None:
                    raise RuntimeError(f"item {index}: {error}")
                accepted.append(a)
    finally:
        del live.checker.check
    stages.add("validate", -checking[0])
    stages.add("check", checking[0])
    received = datetime.now(UTC)
    with registry.store._writes() as session:
        session.begin()
        with stages.stage("append"):
            _ingest._lock(session, DEPLOYMENT)
            new = list(_ingest._append(session, accepted, received, source).values())
        with stages.stage("fold"):
            alarms = _ingest._fold(session, new, received)
            raise_alarms(session, alarms, received)
            session.flush()
        with stages.stage("commit"):
            session.commit()


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


def profile(url: str, keys: dict[str, str], serial: dict[str, float]) -> dict[str, float]:
    """Print the layer-by-layer and stage-by-stage breakdown of one batch, and a cProfile.

    Inputs are kept as request bodies (bytes, which the collector does not track) and parsed
    inside the loop, as the server does, so that the collector's work is the server's.

    Args:
        url: The database (with ``soc-prod`` registered).
        keys: Scope -> API key.
        serial: ``native`` and ``otlp`` -> mean seconds of one request over HTTP, one client.

    Returns:
        Stage -> mean milliseconds per native batch (for the summary).
    """
    from hawthorne.monitor import decode_traces
    from hawthorne.store import Registry, Store, authenticate_key, record

    store = Store(url)
    registry = Registry(store)
    registry.require(DEPLOYMENT)
    n = PROFILE_BATCHES

    def bodies(prefix: str, seed: int) -> list[bytes]:
        return [
            json.dumps({"batch": decisions(BATCH, f"{prefix}{b}-", seed=seed + b)}).encode()
            for b in range(n)
        ]

    staged, whole_in = bodies("p", 100), bodies("r", 200)
    cprofile_in = bodies("c", 400)
    otlp = [otlp_request(decisions(BATCH, f"q{b}-", seed=500 + b))[0] for b in range(n)]
    record(registry, decisions(BATCH, "warm-", seed=99), source="api")  # warm: suite, caches

    with GcClock() as clock:
        native = Stages(clock)
        for body in staged:
            with native.stage("parse"):
                batch = json.loads(body)["batch"]
            timed_record(registry, batch, "api", native)
        spans = Stages(clock)
        for body in otlp:
            with spans.stage("parse"):
                items = decode_traces(body, "application/x-protobuf").decisions
            timed_record(registry, items, "otlp", spans)
        collected = clock.total
        began = time.perf_counter()
        for body in whole_in:
            results = record(registry, json.loads(body)["batch"], source="api")
        whole = (time.perf_counter() - began) / n
        whole_gc = (clock.total - collected) / n
    began = time.perf_counter()
    for _ in range(n):
        json.dumps({"results": [r.to_json() for r in results]}).encode()
    answer = (time.perf_counter() - began) / n
    began = time.perf_counter()
    for _ in range(n):
        authenticate_key(store, keys["ingest"])
    auth = (time.perf_counter() - began) / n

    mean = {k: v / n for k, v in native.seconds.items()}
    otlp_mean = {k: v / n for k, v in spans.seconds.items()}
    http, http_otlp = serial["native"], serial["otlp"]

    def line(label: str, native_s: float | None, otlp_s: float | None) -> list[str]:
        return [
            label,
            "" if native_s is None else _ms(native_s),
            "" if otlp_s is None else _ms(otlp_s),
            "" if native_s is None else f"{native_s / http:.0%}",
        ]

    parse = "app: body → `json.loads` (native) / `decode_traces`, protobuf + mapping (OTLP)"
    rows = [line(parse, mean["parse"], otlp_mean["parse"])]
    rows += [line(f"record: {stage}", mean[stage], otlp_mean[stage]) for stage in STAGES]
    rows.append(line("cyclic GC, wherever it struck", mean["gc"], otlp_mean["gc"]))
    native_sum, otlp_sum = sum(mean.values()), sum(otlp_mean.values())
    rest = http - native_sum - answer - auth
    rows += [
        line("**sum of the rows above**", native_sum, otlp_sum),
        line(f"(check: `json.loads` + `record()`, GC {_ms(whole_gc)} of it)", whole, None),
        line("app: auth (API key lookup)", auth, None),
        line("app: the 207 answer's JSON", answer, None),
        line("the rest: uvicorn (h11), FastAPI/Starlette, thread-pool hop, loopback, client",
             rest, http_otlp - otlp_sum - auth),
        line("**= one request over HTTP, one client (mean)**", http, http_otlp),
    ]  # fmt: skip
    print(
        f"\nWhere a batch of {BATCH:,} goes on {store.dialect} (ms per batch, mean of {n};"
        f" load {load()})\n"
    )
    table(["layer / stage", "native ms", "OTLP ms", "share of native"], rows)

    # cProfile with the collector's survivors frozen, so that its time (measured above) is not
    # booked to whatever builtin happened to allocate when it struck.
    gc.collect()
    gc.freeze()
    profiler = cProfile.Profile()
    parsed = [json.loads(body)["batch"] for body in cprofile_in]
    profiler.enable()
    for batch in parsed:
        record(registry, batch, source="api")
    profiler.disable()
    gc.unfreeze()
    stats = pstats.Stats(profiler)
    entries = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    print(
        f"\ncProfile of record() on {store.dialect}, by own time (ms per batch of {BATCH:,};"
        " cProfile slows Python calls, so read the shares, not the sums)\n"
    )
    top = []
    for (path, line, name), (_cc, calls, own, cum, _callers) in entries[:16]:
        where = Path(path).name if path != "~" else "builtin"
        top.append([f"`{name}` ({where}:{line})", f"{calls / n:,.0f}", _ms(own / n), _ms(cum / n)])
    table(["function", "calls per batch", "own ms", "cumulative ms"], top)
    store.close()
    return {k: 1000 * v for k, v in mean.items()}


def bench(kind: str, url: str, tmp: Path, baseline_run: Path) -> list[list[str]]:
    """The load runs on one database, then its breakdown; returns its throughput rows."""
    keys = mint_keys(url)
    prototype = os.environ.get("SERVER_PYTHONPATH")
    server = Server(
        url, tmp / f"server-{kind}.log", env={"PYTHONPATH": prototype} if prototype else None
    )
    started = server.start()
    ingest = bearer(keys["ingest"])

    def send(path: str, prefix: str, n: int, clients: int) -> Throughput:
        if path == "native":
            headers = {**ingest, "Content-Type": "application/json"}
            bodies = _native_bodies(prefix, n)
            return drive(server.url, "/api/v1/decisions", headers, bodies, _check_native, clients)
        headers = {**ingest, "Content-Type": "application/x-protobuf"}
        bodies = _otlp_bodies(prefix, n)
        return drive(server.url, "/v1/traces", headers, bodies, _check_otlp, clients)

    try:
        register(server.url, keys["admin"], baseline_run)
        send("native", "w", WARMUP, 1)
        send("otlp", "wo", WARMUP, 1)
        serial_native = send("native", "s", SERIAL_BATCHES, 1)
        serial_otlp = send("otlp", "so", SERIAL_BATCHES, 1)
        native = send("native", "n", N_BATCHES, CLIENTS)
        otlp = send("otlp", "o", OTLP_BATCHES, CLIENTS)
        status = httpx.get(
            f"{server.url}/api/v1/deployments/{DEPLOYMENT}/monitor",
            headers=bearer(keys["read"]),
            timeout=60,
        ).json()
        seen = sum(s["seen"] for s in status["streams"])
        sent = (2 * WARMUP + 2 * SERIAL_BATCHES + N_BATCHES + OTLP_BATCHES) * BATCH
        if seen != sent:
            raise RuntimeError(f"{kind}: the monitor saw {seen:,} decisions of {sent:,} sent")
    finally:
        server.stop()
    print(f"({kind}: server up in {started:.1f} s; the monitor counted all {seen:,} decisions)")
    if PROFILE:
        profile(url, keys, {"native": serial_native.mean_s, "otlp": serial_otlp.mean_s})

    def row(path: str, run: Throughput, serial: Throughput, unit: str) -> list[str]:
        return [f"{kind}, {path}", f"{run.items:,}", str(CLIENTS), f"{run.rate:,.0f} {unit}/s",
                f"{run.p50_ms:.0f} ms", f"{serial.rate:,.0f}/s", run.load]  # fmt: skip

    return [
        row("native API", native, serial_native, "decisions"),
        row("OTLP protobuf", otlp, serial_otlp, "spans"),
    ]


def main() -> None:
    """Run every database and print the throughput table."""
    tmp = Path(tempfile.mkdtemp(prefix="hawthorne-bench-ingest-"))
    print(
        f"load before: {load()}; batches of {BATCH:,}; {CLIENTS} clients; cores: {os.cpu_count()}"
    )
    baseline_run = baseline(tmp)
    rows: list[list[str]] = []
    for kind in databases():
        with database(kind, tmp, f"hawthorne_bench_ingest_{os.getpid()}") as url:
            if url is None:
                continue
            rows += bench(kind, url, tmp, baseline_run)
    print(
        "\nIngest over HTTP on loopback, one server process (goal: 50,000 decisions/s native,"
        " 10,000 spans/s OTLP)\n"
    )
    table(
        [
            "database, path",
            "items",
            "clients",
            "throughput",
            "p50 latency",
            "1 client",
            "load (1/5/15 min)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
