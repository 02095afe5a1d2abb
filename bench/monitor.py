"""The live monitor's sequential tests on simulated streams: delay to alarm and false alarms.

Streams of decisions whose violation rate (1 - adherence) is 2% shift to 5% at a known decision
(SHIFT). For the Bernoulli CUSUM (p0 = 2%, p1 = 5%, h from a target ARL₀ by the Markov chain of
``hawthorne.stats.cusum_threshold``): the false-alarm share before the shift, the median and
90th-percentile delay from the shift to the alarm (streams that alarmed before it left out), the
in-control run length (mean and median over runs that never shift) and the chain's ARLs beside
them. For the anytime-valid rate-drop test (live adherence below the audited observed adherence
minus a margin: 98% − 5% = 93%, alpha 0.01): the share of in-control streams that ever reject
over 100,000 decisions, at the audited rate and at the null's boundary (93% exactly, the worst
case), and its delay on a fall to 85%.

Run: ``python bench/monitor.py [STREAMS]``. Prints Markdown tables.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from hawthorne.stats import cusum_arl, cusum_threshold, cusum_weights, drop_log_e

STREAMS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
P0, P1 = 0.02, 0.05
SHIFT = 2000
ARL0_TARGETS = (1000.0, 2000.0, 5000.0)
AUDITED, MARGIN, ALPHA = 0.98, 0.05, 0.01
IN_CONTROL = 100_000


def cusum_alarms(h: float, rates: np.ndarray, seed: int) -> np.ndarray:
    """First alarm of each stream (``rates``: streams × decisions violation rates), or -1."""
    up, down = cusum_weights(P0, P1)
    rng = np.random.default_rng(seed)
    streams, length = rates.shape
    s, first = np.zeros(streams), np.full(streams, -1)
    for t in range(length):
        s = np.maximum(0.0, s + np.where(rng.random(streams) < rates[:, t], up, down))
        fired = (s >= h) & (first < 0)
        first[fired] = t + 1
    return first


def in_control_run_lengths(h: float, streams: int, seed: int) -> np.ndarray:
    """Run lengths at the in-control rate, every stream run to its alarm."""
    up, down = cusum_weights(P0, P1)
    rng = np.random.default_rng(seed)
    s, length, alive = np.zeros(streams), np.zeros(streams, dtype=int), np.ones(streams, bool)
    while alive.any():
        s = np.where(alive, np.maximum(0.0, s + np.where(rng.random(streams) < P0, up, down)), s)
        length += alive
        alive &= s < h
    return length


def cusum_table() -> None:
    print("| ARL₀ target | h | chain ARL₀ / ARL₁ | simulated run length in control (mean, median) |"
          " false alarms before the shift | delay median / p90 |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for target in ARL0_TARGETS:
        h = cusum_threshold(P0, P1, target)
        arl0, arl1 = cusum_arl(P0, P1, h, P0), cusum_arl(P0, P1, h, P1)
        runs = in_control_run_lengths(h, STREAMS // 2, seed=1)
        length = SHIFT + 4000
        rates = np.where(np.arange(length) < SHIFT, P0, P1)[None, :].repeat(STREAMS, axis=0)
        first = cusum_alarms(h, rates, seed=2)
        early = (first > 0) & (first <= SHIFT)
        delays = first[(first > SHIFT)] - SHIFT
        print(
            f"| {target:,.0f} | {h:.3f} | {arl0:,.0f} / {arl1:.0f} | {runs.mean():,.0f}, "
            f"{np.median(runs):,.0f} | {early.mean():.1%} | {np.median(delays):.0f} / "
            f"{np.percentile(delays, 90):.0f} |",
            flush=True,
        )


def drop_rejections(p: float, streams: int, length: int, seed: int) -> tuple[float, float]:
    """Share of streams at adherence p that ever reject, and the median rejection time."""
    rng = np.random.default_rng(seed)
    p0, cut = AUDITED - MARGIN, math.log(1 / ALPHA)
    first = np.full(streams, -1)
    k = np.zeros(streams)
    chunk = 2_000
    for start in range(0, length, chunk):
        ones = rng.random((streams, min(chunk, length - start))) < p
        counts = k[:, None] + np.cumsum(ones, axis=1)
        n = start + np.arange(1, counts.shape[1] + 1)
        over = drop_log_e(p0, np.broadcast_to(n, counts.shape), counts) >= cut
        hit = over.any(axis=1) & (first < 0)
        first[hit] = start + over[hit].argmax(axis=1) + 1
        k = counts[:, -1]
    rejected = first > 0
    return float(rejected.mean()), float(np.median(first[rejected])) if rejected.any() else math.nan


def drop_table() -> None:
    print(
        "| live adherence | streams | decisions each | ever rejected | median decisions to reject |"
    )
    print("|---:|---:|---:|---:|---:|")
    for p, streams, length in (
        (AUDITED, 200, IN_CONTROL),
        (AUDITED - MARGIN, 200, IN_CONTROL),
        (0.85, 500, 5000),
    ):
        share, median = drop_rejections(p, streams, length, seed=3)
        shown = "—" if math.isnan(median) else f"{median:,.0f}"
        print(f"| {p:.0%} | {streams} | {length:,} | {share:.1%} | {shown} |", flush=True)


def main() -> None:
    start = time.perf_counter()
    print(f"Bernoulli CUSUM, {P0:.0%} → {P1:.0%} at decision {SHIFT:,}, {STREAMS:,} streams\n")
    cusum_table()
    print(f"\nRate-drop test against {AUDITED:.0%} − {MARGIN:.0%}, alpha {ALPHA}\n")
    drop_table()
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
