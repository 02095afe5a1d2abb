"""Durability: the server is SIGKILLed at random moments under load; no acknowledged decision
may be lost or counted twice.

For each database (SQLite, then PostgreSQL) a real ``hawthorne serve`` runs as a subprocess
and ``soc-prod`` is registered. CLIENTS load-generator threads send batches without pause:
``POST /api/v1/decisions`` bodies of BATCH decisions, and every fourth batch an OTLP/HTTP
protobuf body of BATCH spans. A failed request (connection refused or reset, a timeout, any 5xx
or 429) is retried with the same body, so the same ids, until it is acknowledged: a 207 whose
items are all 201 or 200 (200: already stored, i.e. the first try had committed before its
answer was lost), or a 200 from ``/v1/traces`` with no rejected spans. The ids of every
acknowledged batch are recorded.

Meanwhile the main thread sleeps a random 0.2-1.5 s, SIGKILLs the server (no shutdown of any
kind), restarts it on the same database and port, KILLS times. Then the generators finish the
batch in hand and stop, and the bench checks, in the database (SQLAlchemy, table ``decisions``):
every acknowledged id is stored, none twice (``GROUP BY deployment, id HAVING count(*) > 1``),
nothing is stored that was never sent; and that the monitor's stream state (``GET
/api/v1/deployments/soc-prod/monitor``, the sum of ``streams[*].seen``) and a replay of the
stored decisions (``hawthorne.store.replay_streams``) both count exactly the stored decisions.

SIGKILL ends the process, not the machine: what the kernel had accepted (SQLite's WAL, the
PostgreSQL server's buffers) survives it, so this checks the acknowledge-after-commit contract
and the idempotent retries, not the storage's behaviour on power loss (that is SQLite's
``synchronous=FULL`` and PostgreSQL's ``fsync``).

Environment (to scale down): ``KILLS`` (per database, default 20), ``BATCH`` (default 200),
``CLIENTS`` (default 2), ``SEED`` (default 0), ``DBS``, ``HAWTHORNE_BENCH_BASELINE``.

Run: ``python bench/durability.py``. Prints a Markdown table; exits 1 if anything was lost or
double-counted.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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

KILLS = env_int("KILLS", 20)
BATCH = env_int("BATCH", 200)
CLIENTS = env_int("CLIENTS", 2)
SEED = env_int("SEED", 0)
OTLP_EVERY = 4
RETRY_PAUSE = 0.1


@dataclass
class Ledger:
    """What the load generators sent and what the server acknowledged."""

    sent: set[str] = field(default_factory=set)
    acked: list[str] = field(default_factory=list)
    batches: int = 0
    failed_requests: int = 0
    committed_before_the_kill: int = 0
    refused: list[str] = field(default_factory=list)
    in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _send_native(http: httpx.Client, body: bytes) -> tuple[bool, int]:
    """One try: (acknowledged, how many items the server already had)."""
    reply = http.post(
        "/api/v1/decisions", content=body, headers={"Content-Type": "application/json"}
    )
    if reply.status_code != 207:
        if reply.status_code < 500 and reply.status_code != 429:
            raise RuntimeError(f"decisions: {reply.status_code} {reply.text[:300]}")
        return False, 0
    statuses = [r["status"] for r in reply.json()["results"]]
    if any(s not in (200, 201) for s in statuses):
        raise RuntimeError(f"decisions: item statuses {sorted(set(statuses))}")
    return True, statuses.count(200)


def _send_otlp(http: httpx.Client, body: bytes) -> tuple[bool, int]:
    """One try of an OTLP export (its answer does not tell duplicates apart: 0)."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceResponse,
    )

    reply = http.post(
        "/v1/traces", content=body, headers={"Content-Type": "application/x-protobuf"}
    )
    if reply.status_code != 200:
        if reply.status_code < 500 and reply.status_code != 429:
            raise RuntimeError(f"traces: {reply.status_code} {reply.text[:300]}")
        return False, 0
    answer = ExportTraceServiceResponse.FromString(reply.content)
    if answer.partial_success.rejected_spans:
        raise RuntimeError(f"traces: rejected {answer.partial_success.error_message}")
    return True, 0


def generate(url: str, key: str, client: int, stop: threading.Event, ledger: Ledger) -> None:
    """Send batches until ``stop``; retry each with the same body until it is acknowledged."""
    with httpx.Client(base_url=url, headers=bearer(key), timeout=30) as http:
        n = 0
        while not stop.is_set():
            items = decisions(
                BATCH, f"c{client}-b{n}-", seed=SEED * 1_000_003 + client * 10_007 + n
            )
            if n % OTLP_EVERY == OTLP_EVERY - 1:
                body, ids = otlp_request(items)
                send = _send_otlp
            else:
                body, ids = json_body(items), [item["id"] for item in items]
                send = _send_native
            with ledger.lock:
                ledger.sent.update(ids)
            n += 1
            while True:
                with ledger.lock:
                    ledger.in_flight += 1
                try:
                    acked, duplicates = send(http, body)
                except httpx.TransportError:  # refused, reset, cut short, timed out
                    acked, duplicates = False, 0
                except RuntimeError as err:
                    with ledger.lock:
                        ledger.refused.append(str(err))
                    return
                finally:
                    with ledger.lock:
                        ledger.in_flight -= 1
                if acked:
                    break
                with ledger.lock:
                    ledger.failed_requests += 1
                time.sleep(RETRY_PAUSE)
            with ledger.lock:
                ledger.acked.extend(ids)
                ledger.batches += 1
                ledger.committed_before_the_kill += duplicates > 0


def json_body(items: list[dict[str, object]]) -> bytes:
    """A ``POST /api/v1/decisions`` body."""
    import json

    return json.dumps({"batch": items}).encode()


def stored(url: str) -> tuple[int, set[str], int]:
    """(rows, distinct ids, ids stored more than once) of ``soc-prod`` in ``decisions``."""
    import sqlalchemy as sa

    from hawthorne.store import resolve_url

    engine = sa.create_engine(resolve_url(url))
    try:
        with engine.connect() as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    sa.text("SELECT id FROM decisions WHERE deployment = :d"), {"d": DEPLOYMENT}
                )
            ]
            twice = conn.execute(
                sa.text(
                    "SELECT count(*) FROM (SELECT deployment, id FROM decisions"
                    " GROUP BY deployment, id HAVING count(*) > 1) AS t"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return len(ids), set(ids), int(twice)


def replayed(url: str) -> int:
    """Decisions counted by replaying the stored decisions into fresh stream states."""
    from hawthorne.store import Registry, Store, replay_streams

    store = Store(url)
    try:
        return sum(state.seen for state in replay_streams(Registry(store), DEPLOYMENT).values())
    finally:
        store.close()


def run(kind: str, url: str, tmp: Path, baseline_run: Path, rng: random.Random) -> list[str]:
    """Kill the server KILLS times under load on one database; returns the summary row."""
    keys = mint_keys(url)
    server = Server(url, tmp / f"server-{kind}.log")
    server.start()
    register(server.url, keys["admin"], baseline_run)
    ledger, stop = Ledger(), threading.Event()
    threads = [
        threading.Thread(target=generate, args=(server.url, keys["ingest"], c, stop, ledger))
        for c in range(CLIENTS)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    in_flight_kills = 0
    restarts: list[float] = []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.2, 1.5))
            with ledger.lock:
                in_flight_kills += ledger.in_flight > 0
                server.kill()  # under the lock: no request starts or ends around the kill
            restarts.append(server.start())
            if ledger.refused:
                break
        time.sleep(1.0)  # a last stretch of load on the restarted server
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    seconds = time.monotonic() - began
    try:
        status = httpx.get(
            f"{server.url}/api/v1/deployments/{DEPLOYMENT}/monitor",
            headers=bearer(keys["read"]),
            timeout=60,
        ).json()
    finally:
        server.stop()
    seen = sum(s["seen"] for s in status["streams"])
    rows, ids, twice = stored(url)
    acked = set(ledger.acked)
    lost = len(acked - ids)
    unsent = len(ids - ledger.sent)
    replay = replayed(url)
    ok = (
        not ledger.refused
        and lost == 0
        and twice == 0
        and unsent == 0
        and rows == len(ids)
        and seen == rows
        and replay == rows
        and len(ledger.acked) == len(acked)
    )
    for refusal in ledger.refused:
        print(f"({kind}: the server refused a batch: {refusal})")
    return [
        kind,
        f"{server.starts - 1}",
        f"{in_flight_kills}",
        f"{sum(restarts) / len(restarts):.1f} s",
        f"{ledger.batches:,}",
        f"{len(acked):,}",
        f"{ledger.failed_requests:,}",
        f"{ledger.committed_before_the_kill:,}",
        f"{rows:,}",
        f"{lost:,}",
        f"{twice:,}",
        f"{seen:,}",
        f"{replay:,}",
        f"{seconds:.0f} s",
        load(),
        "**pass**" if ok else "**FAIL**",
    ]


def main() -> int:
    """Run every database; print the summary; 1 if anything was lost or double-counted."""
    tmp = Path(tempfile.mkdtemp(prefix="hawthorne-bench-durability-"))
    print(
        f"load before: {load()}; {KILLS} kills per database; batches of {BATCH}; "
        f"{CLIENTS} clients; seed {SEED}"
    )
    baseline_run = baseline(tmp)
    rng = random.Random(SEED)
    rows = []
    for kind in databases():
        with database(kind, tmp, f"hawthorne_bench_durability_{os.getpid()}") as url:
            if url is None:
                continue
            rows.append(run(kind, url, tmp, baseline_run, rng))
    print("\nSIGKILL under load (goal: 0 acknowledged decisions lost, 0 double-counted)\n")
    table(
        [
            "database",
            "kills",
            "kills with requests in flight",
            "restart",
            "batches acked",
            "decisions acked",
            "failed requests retried",
            "retries that found the batch stored",
            "rows stored",
            "acked but lost",
            "ids stored twice",
            "monitor seen",
            "replay seen",
            "wall",
            "load (1/5/15 min)",
            "result",
        ],
        rows,
    )
    return 0 if all(row[-1] == "**pass**" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
