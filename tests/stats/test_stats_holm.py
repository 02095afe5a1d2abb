"""Holm step-down adjusted p-values."""

from __future__ import annotations

import numpy as np
import pytest

from hawthorne.stats import holm


def test_holm_worked_example() -> None:
    # Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_is_monotone_and_capped() -> None:
    assert holm([0.5, 0.6, 0.01]) == pytest.approx([1.0, 1.0, 0.03])
    rng = np.random.default_rng(7)
    for _ in range(50):
        p = rng.uniform(0, 0.2, size=8).tolist()
        adjusted = holm(p)
        order = np.argsort(p)
        sorted_adjusted = np.asarray(adjusted)[order]
        assert np.all(np.diff(sorted_adjusted) >= 0)
        assert all(a >= q for a, q in zip(adjusted, p, strict=True))
        assert max(adjusted) <= 1.0


def test_holm_edge_cases() -> None:
    assert holm([]) == []
    assert holm([0.2]) == [0.2]
    assert holm([0.01, 0.01]) == [0.02, 0.02]
    with pytest.raises(ValueError):
        holm([0.1, 1.5])
    with pytest.raises(ValueError):
        holm([float("nan")])
