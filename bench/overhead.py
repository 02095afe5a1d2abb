"""Hawthorne's own overhead per answer (the demo audit's wall time is in `bench/organisms.py`).

Overhead: an audit (fixed design, so every run asks the same pairs) against an OpenAI-compatible
server on 127.0.0.1 that answers each completion after a fixed 50 ms, through Inspect's
`openai-api` provider at concurrency 32. The target's own time is what the latency alone costs
at that concurrency (calls × 50 ms / 32); the rest is Hawthorne + Inspect + HTTP.

Run: `python bench/overhead.py` (or `make bench`). Prints a Markdown table.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="hawthorne-bench-"))
os.environ.setdefault("XDG_DATA_HOME", str(_TMP / "data"))
os.environ.setdefault("XDG_CACHE_HOME", str(_TMP / "cache"))
os.environ.setdefault("INSPECT_CACHE_DIR", str(_TMP / "inspect"))

from hawthorne.audit import AuditConfig, VerdictSettings, run_audit  # noqa: E402
from hawthorne.organisms import ChatServer, scripted_answer  # noqa: E402

LATENCY = 0.050
CONCURRENCY = 32
PAIRS_PER_STRATUM = 64


def _answer(model: str, messages: list[dict[str, str]]) -> str:
    return scripted_answer("scripted-honest", [m["content"] for m in messages])


def _audit(pairs: int, out: Path) -> None:
    config = AuditConfig(
        suites=("soc-triage",),
        targets=("openai-api/bench/honest",),
        max_pairs=pairs,
        settings=VerdictSettings(sequential=False),
        max_connections=CONCURRENCY,
    )
    run_audit(config, out)


def overhead() -> tuple[int, float, float, float]:
    with ChatServer(["honest"], _answer, latency=LATENCY) as server:
        os.environ["BENCH_BASE_URL"] = server.base_url
        os.environ["BENCH_API_KEY"] = "bench"
        # The first audit in a process pays Inspect's imports and start-up; measure it apart.
        start = time.perf_counter()
        _audit(2, _TMP / "warm-up")
        startup = time.perf_counter() - start
        before = server.requests
        start = time.perf_counter()
        _audit(PAIRS_PER_STRATUM, _TMP / "overhead")
        wall = time.perf_counter() - start
        calls = server.requests - before
    return calls, wall, calls * LATENCY / CONCURRENCY, startup


def main() -> None:
    calls, wall, target, startup = overhead()
    print("| figure | value |\n|---|---|")
    design = f"fixed design, soc-triage, 4 cue families × {PAIRS_PER_STRATUM} pairs"
    print(f"| calls ({design}) | {calls} |")
    print(f"| run wall time at concurrency {CONCURRENCY}, 50 ms target latency | {wall:.2f} s |")
    print(f"| first audit in a process (4 pairs: imports, start-up) | {startup:.2f} s |")
    print(f"| target's own time (calls × 50 ms / {CONCURRENCY}) | {target:.2f} s |")
    per_answer = 1000 * (wall - target) / calls
    print(f"| Hawthorne overhead per answer ((wall − target) / calls) | {per_answer:.1f} ms |")


if __name__ == "__main__":
    main()
