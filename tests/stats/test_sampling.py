"""Attribute sample sizes against the AICPA table, and the Clopper–Pearson bound after review."""

from __future__ import annotations

import pytest

from hawthorne.stats import attribute_sample_size, deviation_upper_bound


@pytest.mark.parametrize(
    ("rate", "confidence", "c", "n"),
    [
        (0.05, 0.95, 0, 59),
        (0.05, 0.95, 1, 93),
        (0.05, 0.95, 2, 124),
        (0.01, 0.95, 0, 299),
        (0.05, 0.90, 0, 45),
    ],  # fmt: skip
)
def test_sample_sizes_match_the_aicpa_table(rate: float, confidence: float, c: int, n: int) -> None:
    assert attribute_sample_size(rate, confidence, c) == n
    # The plan's promise, read back: at the tolerable rate, c or fewer deviations are rare.
    assert (
        deviation_upper_bound(c, n, confidence)
        <= rate
        < deviation_upper_bound(c, n - 1, confidence)
    )


def test_a_finite_population_needs_fewer_and_never_more_than_it_holds() -> None:
    infinite = attribute_sample_size(0.05, 0.95)
    assert attribute_sample_size(0.05, 0.95, population=1_000_000) == infinite
    assert attribute_sample_size(0.05, 0.95, population=1_000) == 57
    assert attribute_sample_size(0.05, 0.95, population=200) == 51
    assert attribute_sample_size(0.05, 0.95, 1, population=500) == 87
    assert attribute_sample_size(0.05, 0.95, 3, population=20) == 20


def test_bad_plans_are_refused() -> None:
    for args in [(0.0, 0.95), (0.05, 1.0), (1.2, 0.9)]:
        with pytest.raises(ValueError):
            attribute_sample_size(*args)
    with pytest.raises(ValueError):
        attribute_sample_size(0.05, 0.95, -1)
    with pytest.raises(ValueError):
        deviation_upper_bound(5, 3)
    assert deviation_upper_bound(3, 3) == 1.0
