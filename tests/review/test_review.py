"""Review plans, draws, labels and override statistics (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from hawthorne.review import (
    ReviewPlan,
    direction_of,
    draw_sample,
    label_of_oracle,
    override_summary,
    period_bounds,
    period_end,
    period_of,
    stratum_of,
)
from hawthorne.stats import BernoulliCusum, cusum_threshold


@pytest.mark.parametrize(
    ("tolerable", "confidence", "c", "n"),
    [(0.05, 0.95, 0, 59), (0.05, 0.95, 1, 93), (0.05, 0.95, 2, 124), (0.01, 0.95, 0, 299),
     (0.05, 0.90, 0, 45)],
)  # fmt: skip
def test_a_plan_sizes_its_sample_as_the_aicpa_tables(
    tolerable: float, confidence: float, c: int, n: int
) -> None:
    plan = ReviewPlan(
        id="p", deployment="d", tolerable_rate=tolerable, confidence=confidence,
        expected_deviations=c,
    )  # fmt: skip
    assert plan.sample_size() == n


def test_a_plan_refuses_unknown_strata_and_rates() -> None:
    with pytest.raises(ValidationError, match="unknown strata"):
        ReviewPlan(id="p", deployment="d", strata=("colour",))
    with pytest.raises(ValidationError):
        ReviewPlan(id="p", deployment="d", tolerable_rate=1.5)
    with pytest.raises(ValidationError):
        ReviewPlan(id="Bad Id", deployment="d")


@pytest.mark.parametrize(
    ("period", "key", "end"),
    [("day", "2026-12-06", datetime(2026, 12, 7, tzinfo=UTC)),
     ("week", "2026-W49", datetime(2026, 12, 7, tzinfo=UTC)),
     ("month", "2026-12", datetime(2027, 1, 1, tzinfo=UTC))],
)  # fmt: skip
def test_periods_are_utc_days_iso_weeks_and_months(period: str, key: str, end: datetime) -> None:
    time = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert period_of(time, period) == key  # type: ignore[arg-type]
    assert period_end(key, period) == end  # type: ignore[arg-type]
    start, stop = period_bounds(key, period)  # type: ignore[arg-type]
    assert start <= time < stop == end
    assert period_of(stop, period) != key  # type: ignore[arg-type]


def test_strata_name_their_attributes() -> None:
    values = {"segment": "eu", "decision": "escalate", "version": "2", "monitored": None}
    assert stratum_of(values, ()) == "all"
    assert stratum_of(values, ("segment", "decision")) == "segment=eu|decision=escalate"
    assert stratum_of(values, ("monitored",)) == "monitored="


def test_a_draw_sizes_each_stratum_with_the_finite_population_and_records_inclusion() -> None:
    plan = ReviewPlan(id="p", deployment="d", strata=("segment",), double_review=0.2)
    population = {"segment=big": list(range(5000)), "segment=small": list(range(5000, 5020))}
    draw = draw_sample(plan, "2026-12-06", population)
    assert draw.strata["segment=big"] == {"population": 5000, "sample": 59}
    # A small stratum: the hypergeometric size, at most the whole of it.
    small = draw.strata["segment=small"]["sample"]
    assert small == plan.sample_size(20) and small <= 20
    by = {s: [i for i in draw.items if i.stratum == s] for s in population}
    assert len(by["segment=big"]) == 59 and len(by["segment=small"]) == small
    assert {i.inclusion for i in by["segment=big"]} == {59 / 5000}
    assert len({i.seq for i in draw.items}) == len(draw.items)  # without replacement
    assert all(i.seq in population[i.stratum] for i in draw.items)
    doubled = sum(i.labels_needed == 2 for i in by["segment=big"])
    assert doubled == round(0.2 * 59)
    # The same plan and period draw the same sample; another period another one.
    assert draw_sample(plan, "2026-12-06", population) == draw
    assert draw_sample(plan, "2026-12-07", population).items != draw.items


def test_every_decision_of_a_stratum_is_equally_likely_to_be_drawn() -> None:
    plan = ReviewPlan(id="p", deployment="d")
    population = {"all": list(range(200))}
    counts = [0] * 200
    for day in range(1, 29):
        for item in draw_sample(plan, f"2026-02-{day:02d}", population).items:
            counts[item.seq] += 1
    n = plan.sample_size(200)
    expected = 28 * n / 200
    assert abs(sum(counts) / 200 - expected) < 1e-9
    # Each decision's count is binomial(28, n/200): none is never or always drawn by design.
    assert max(counts) < 28 and min(counts) >= 0
    assert abs(sum(c > expected for c in counts) / 200 - 0.5) < 0.15


def test_labels_from_the_oracle_and_override_directions() -> None:
    assert label_of_oracle("protocol") == label_of_oracle("both") == "followed-protocol"
    assert label_of_oracle("legacy") == "legacy"
    assert label_of_oracle("neither") == label_of_oracle("invalid") == "other"
    assert label_of_oracle("unscorable") == "cannot-tell"
    assert direction_of("suppress", "Escalate", "escalate") == "to_protocol"
    assert direction_of("escalate", "suppress", "escalate") == "away_from_protocol"
    assert direction_of("close", "monitor", "escalate") == "other"
    assert direction_of(None, "close", None) == "other"


def test_override_figures_before_the_window_is_full() -> None:
    summary = override_summary(100, [3, 50], ["to_protocol", "away_from_protocol"], 2000)
    assert summary.overrides == 2 and summary.rate is not None
    assert summary.rate[0] == pytest.approx(0.02)
    assert summary.rate[1] < 0.02 < summary.rate[2]
    assert summary.to_protocol == (1, 0.5) and summary.away_from_protocol == (1, 0.5)
    assert summary.test is None
    with pytest.raises(ValueError, match="ascending"):
        override_summary(10, [5, 3], ["other", "other"], 2000)


def test_the_folded_override_cusum_equals_the_chart_fed_decision_by_decision() -> None:
    rng = random.Random(3)
    flags = [rng.random() < 0.02 for _ in range(500)] + [rng.random() < 0.08 for _ in range(1500)]
    positions = [i for i, f in enumerate(flags) if f]
    summary = override_summary(len(flags), positions, ["other"] * len(positions), 2000)
    test = summary.test
    assert test is not None and test.window == 500
    assert test.p0 > test.window_rate and test.h == cusum_threshold(test.p0, test.p1, 2000)
    chart = BernoulliCusum(test.p0, test.p1, test.h)
    alarms = []
    for i, flag in enumerate(flags[500:], start=500):
        if chart.update(flag):
            alarms.append(i)
            chart.reset()
    assert list(test.alarms) == alarms and alarms
    assert test.statistic == pytest.approx(chart.statistic)


def test_the_override_cusum_is_quiet_at_the_windows_rate_and_alarms_on_a_rise() -> None:
    def alarms(rate_after: float, seed: int) -> int:
        rng = random.Random(seed)
        flags = [rng.random() < 0.03 for _ in range(500)]
        flags += [rng.random() < rate_after for _ in range(3000)]
        positions = [i for i, f in enumerate(flags) if f]
        test = override_summary(len(flags), positions, ["other"] * len(positions), 5000).test
        assert test is not None
        return len(test.alarms)

    quiet = [alarms(0.03, seed) for seed in range(40)]
    risen = [alarms(0.12, seed) for seed in range(40)]
    # In control over 3,000 decisions at ARL0 5,000 (p0 is the window's upper bound, so fewer).
    assert sum(q > 0 for q in quiet) <= 12
    assert all(r > 0 for r in risen)


def test_no_deviation_in_59_reads_at_most_4_95_percent() -> None:
    from hawthorne.review import LabelledItem, estimate_period

    plan = ReviewPlan(id="p", deployment="d")
    items = [LabelledItem("all", "followed-protocol", None, "followed-protocol")] * 59
    period = estimate_period(plan, "2026-12-05", {"all": {"population": 10**7, "sample": 59}},
                             items)  # fmt: skip
    (row,) = period["strata"]
    assert row["reading"] == "0 of 59 deviated: the rate is at most 4.95% at 95%"
    assert row["tolerable_rate_met"] is True and period["overall"]["tolerable_rate_met"] is True
    one = estimate_period(plan, "2026-12-05", {"all": {"population": 10**7, "sample": 59}},
                          [*items[:58], LabelledItem("all", "legacy", None, "legacy")])  # fmt: skip
    assert one["strata"][0]["tolerable_rate_met"] is False
    waiting = estimate_period(plan, "2026-12-05", {"all": {"population": 100, "sample": 45}}, [])
    assert waiting["strata_waiting"] == ["all"] and waiting["overall"]["estimate"] is None
