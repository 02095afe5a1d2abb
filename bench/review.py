"""Review samples: the sample sizes beside the AICPA tables, and the review queue's throughput.

1. The attribute sample sizes Hawthorne computes (binomial, infinite population) for common
   tolerable rates, confidences and expected deviations, beside the AICPA Audit Sampling guide's
   Table A-1 / A-2 figures quoted in the issue (the other cells are ours only), and the
   finite-population (hypergeometric) sizes for small daily populations.
2. Items served and labelled per second under REVIEWERS concurrent reviewers (default 8), on
   SQLite and PostgreSQL: a real ``hawthorne serve`` subprocess holding DECISIONS decisions
   (default 20,000, dated yesterday so the day is closed and drawn), a plan at a 1% tolerable
   rate stratified by segment (four segments: 4 × ~290 items), and REVIEWERS threads, each an
   account with the ``reviewer`` role, looping ``GET /api/v1/reviews/next`` then ``POST
   …/label`` for SECONDS seconds (default 30). Every request signs in with HTTP Basic, so each
   pays an argon2id verification; the same loop through the store's functions in this process
   (no HTTP, no password) gives the queue's own rate.

Run: ``python bench/review.py``. Prints Markdown tables with the machine's load.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (  # noqa: E402
    ADMIN_PASSWORD,
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
    register,
    table,
)
from hawthorne.stats import attribute_sample_size  # noqa: E402

AICPA = {(0.95, 0.05, 0): 59, (0.95, 0.05, 1): 93, (0.95, 0.05, 2): 124, (0.95, 0.01, 0): 299,
         (0.90, 0.05, 0): 45}  # fmt: skip
PASSWORD = "bench reviewer password"


def sizes() -> None:
    """Print the sample-size tables."""
    rows = []
    for confidence in (0.95, 0.90):
        for rate in (0.01, 0.02, 0.03, 0.05, 0.10):
            cells = []
            for c in range(3):
                n = attribute_sample_size(rate, confidence, c)
                ref = AICPA.get((confidence, rate, c))
                cells.append(f"{n}" if ref is None else f"{n} (AICPA {ref})")
            rows.append([f"{confidence:.0%}", f"{rate:.0%}", *cells])
    print("\nAttribute sample sizes (infinite population)\n")
    table(["confidence", "tolerable rate", "c = 0", "c = 1", "c = 2"], rows)
    rows = [
        [
            str(population),
            *(str(attribute_sample_size(0.05, 0.95, c, population)) for c in range(3)),
        ]
        for population in (50, 100, 200, 500, 1000, 5000)
    ]
    print("\nFinite population (hypergeometric), 95%, tolerable rate 5%\n")
    table(["decisions in the period", "c = 0", "c = 1", "c = 2"], rows)


def _loop(seconds: float, work: Callable[[], bool]) -> int:
    done, end = 0, time.monotonic() + seconds
    while time.monotonic() < end and work():
        done += 1
    return done


def _run_threads(n: int, seconds: float, make: Callable[[int], Callable[[], bool]]) -> float:
    counts = [0] * n
    barrier = threading.Barrier(n + 1)

    def run(i: int) -> None:
        work = make(i)
        barrier.wait()
        counts[i] = _loop(seconds, work)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.monotonic()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - began)


def _seed(url: str, keys: dict[str, str], n: int, reviewers: int, plan_id: str) -> None:
    day = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) - timedelta(days=1)
    items = decisions(n, "r", seed=5)
    for i, item in enumerate(items):
        item["time"] = (day + timedelta(seconds=i % 80_000)).isoformat()
        item["segment"] = f"s{i % 4}"
    with httpx.Client(base_url=url, timeout=120) as http:
        for start in range(0, n, 1000):
            sent = http.post("/api/v1/decisions", json={"batch": items[start : start + 1000]},
                             headers=bearer(keys["ingest"]))  # fmt: skip
            assert sent.status_code == 207, sent.text
        for i in range(reviewers):
            body = {"username": f"r{i}", "password": PASSWORD, "roles": ["reviewer"]}
            made = http.post("/api/v1/accounts", json=body, auth=("admin", ADMIN_PASSWORD))
            assert made.status_code == 201, made.text
        plan = {"id": plan_id, "deployment": DEPLOYMENT, "tolerable_rate": 0.01,
                "strata": ["segment"], "double_review": 0.1}  # fmt: skip
        made = http.post("/api/v1/reviews/plans", json=plan, headers=bearer(keys["admin"]))
        assert made.status_code == 201, made.text


def _http_reviewer(url: str, i: int) -> Callable[[], bool]:
    http = httpx.Client(base_url=url, auth=(f"r{i}", PASSWORD), timeout=60)

    def work() -> bool:
        item = http.get("/api/v1/reviews/next").json()["item"]
        if item is None:
            return False
        answer = http.post(f"/api/v1/reviews/items/{item['item']}/label",
                           json={"label": item["oracle"]["label"]})  # fmt: skip
        assert answer.status_code == 200, answer.text
        return True

    return work


def _store_reviewer(db: str, plan_id: str, i: int) -> Callable[[], bool]:
    from hawthorne.store import Registry, Store, label_item, next_item

    registry = Registry(Store(db))

    def work() -> bool:
        item = next_item(registry, plan_id, f"s{i}")
        if item is None:
            return False
        label_item(registry, item["item"], f"s{i}", item["oracle"]["label"])
        return True

    return work


def throughput() -> None:
    """Print the queue's throughput on each database."""
    n, reviewers = env_int("DECISIONS", 20_000), env_int("REVIEWERS", 8)
    seconds = float(env_int("SECONDS", 30))
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        run = baseline(tmp)
        for kind in databases():
            with database(kind, tmp, "hawthorne_bench_review") as db:
                if db is None:
                    continue
                keys = mint_keys(db)
                server = Server(db, tmp / f"{kind}.log")
                server.start()
                try:
                    register(server.url, keys["admin"], run)
                    _seed(server.url, keys, n, reviewers, "bench-http")
                    load_before = load()
                    http_rate = _run_threads(
                        reviewers, seconds, partial(_http_reviewer, server.url)
                    )
                    mark = f"{load_before} → {load()}"
                finally:
                    server.stop()
                from hawthorne.review import ReviewPlan
                from hawthorne.store import Registry, Store, create_plan

                store = Store(db)
                plan = ReviewPlan(id="bench-store", deployment=DEPLOYMENT, tolerable_rate=0.01,
                                  strata=("segment",), double_review=0.1)  # fmt: skip
                create_plan(Registry(store), plan, "bench")
                store.close()
                store_rate = _run_threads(
                    reviewers, seconds, partial(_store_reviewer, db, "bench-store")
                )
                rows.append([kind, f"{http_rate:.1f}", f"{store_rate:.1f}", mark])
    print(f"\nReview queue: items served and labelled per second, {reviewers} reviewers\n")
    table(["database", "over HTTP (Basic auth, argon2id)", "store functions", "load"], rows)


if __name__ == "__main__":
    sizes()
    throughput()
