"""Agreement between two reviewers on nominal labels: Cohen's kappa with its standard error.

For n items each labelled by two raters into categories i = 1..k, let p_ij be the share of
items the first rater put in i and the second in j, p_i. and p_.j the two raters' marginal
shares. Cohen's kappa (Cohen, J. (1960), "A coefficient of agreement for nominal scales",
Educational and Psychological Measurement 20(1):37-46) is the agreement beyond chance as a share
of the agreement possible beyond chance::

    κ = (p_o − p_e) / (1 − p_e),   p_o = Σ_i p_ii,   p_e = Σ_i p_i. p_.i

Its large-sample (non-null) variance is that of Fleiss, J. L., Cohen, J. & Everitt, B. S.
(1969), "Large sample standard errors of kappa and weighted kappa", Psychological Bulletin
72(5):323-327 (also Fleiss, Levin & Paik (2003), *Statistical Methods for Rates and
Proportions*, 3rd ed., §18.1)::

    var(κ̂) = (A + B − C) / (n (1 − p_e)²)
    A = Σ_i p_ii [1 − (p_i. + p_.i)(1 − κ)]²
    B = (1 − κ)² Σ_{i≠j} p_ij (p_.i + p_j.)²
    C = [κ − p_e (1 − κ)]²

the delta-method variance of κ̂ under multinomial sampling of the n items. The interval is the
normal one, κ̂ ± z_{1−α/2} se, clipped to [−1, 1]. (The variance under the null hypothesis κ = 0,
used for testing, is a different formula and is not what is reported here.)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hawthorne.stats._binomial import _z

__all__ = ["Kappa", "cohen_kappa"]


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa between two raters, with its interval.

    Attributes:
        kappa: κ̂; None when chance agreement is 1 (both raters gave every item one and the
            same label), where kappa is 0/0 and undefined.
        lower: The lower end of the two-sided interval at ``confidence`` (None with kappa).
        upper: The upper end of the two-sided interval at ``confidence`` (None with kappa).
        standard_error: The Fleiss–Cohen–Everitt standard error (None with kappa).
        observed: p_o, the share of items on which the raters agree.
        expected: p_e, the agreement expected by chance from the raters' marginal shares.
        n: The items rated by both.
        confidence: The interval's confidence.
    """

    kappa: float | None
    lower: float | None
    upper: float | None
    standard_error: float | None
    observed: float
    expected: float
    n: int
    confidence: float

    def to_json(self) -> dict[str, Any]:
        """The agreement as JSON-ready data."""
        return asdict(self)


def cohen_kappa(
    pairs: Sequence[tuple[str, str]],
    confidence: float = 0.95,
    categories: Sequence[str] | None = None,
) -> Kappa:
    """Cohen's kappa for two raters on nominal categories, with the FCE (1969) interval.

    Formulas in the module docstring: κ = (p_o − p_e) / (1 − p_e) (Cohen 1960), var(κ̂) = (A + B −
    C) / (n (1 − p_e)²) (Fleiss, Cohen & Everitt 1969), interval κ̂ ± z se clipped to [−1, 1].
    Categories neither rater used change nothing (their cells and margins are 0).

    Args:
        pairs: One (first rater's label, second rater's label) per item.
        confidence: The two-sided interval's confidence.
        categories: The allowed labels; when given, a label outside them is an error.

    Returns:
        The kappa, its interval and standard error, and the observed and chance agreement.
        When p_e = 1 (every item got the same single label from both raters) kappa, its
        interval and its standard error are None: agreement is total but kappa is 0/0.

    Raises:
        ValueError: No pairs, an item that is not a pair, a label outside ``categories``,
            repeated categories, or a confidence outside (0, 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"the confidence must lie in (0, 1), got {confidence!r}")
    if not pairs:
        raise ValueError("need at least one rated pair")
    for index, pair in enumerate(pairs):
        if len(pair) != 2:
            raise ValueError(f"item {index} must be a pair of labels, got {pair!r}")
    if categories is not None:
        allowed = set(categories)
        if len(allowed) != len(categories):
            raise ValueError(f"categories must not repeat, got {list(categories)!r}")
        unknown = sorted({label for pair in pairs for label in pair} - allowed)
        if unknown:
            raise ValueError(f"labels outside the categories: {unknown!r}")

    n = len(pairs)
    cells = Counter((a, b) for a, b in pairs)
    rows = Counter(a for a, _ in pairs)
    cols = Counter(b for _, b in pairs)
    labels = set(rows) | set(cols)
    observed = sum(cells[(c, c)] for c in labels) / n
    expected = math.fsum(rows[c] * cols[c] for c in labels) / (n * n)
    if len(labels) == 1:
        return Kappa(None, None, None, None, observed, 1.0, n, confidence)

    kappa = (observed - expected) / (1.0 - expected)
    row = {c: rows[c] / n for c in labels}
    col = {c: cols[c] / n for c in labels}
    a = math.fsum(
        cells[(c, c)] / n * (1.0 - (row[c] + col[c]) * (1.0 - kappa)) ** 2 for c in labels
    )
    b = (1.0 - kappa) ** 2 * math.fsum(
        count / n * (col[i] + row[j]) ** 2 for (i, j), count in cells.items() if i != j
    )
    c_term = (kappa - expected * (1.0 - kappa)) ** 2
    # A + B − C is a variance: rounding may leave a hair below 0 (at kappa = 1 it is exactly 0).
    variance = max(0.0, a + b - c_term) / (n * (1.0 - expected) ** 2)
    se = math.sqrt(variance)
    half = _z(1.0 - confidence) * se
    return Kappa(
        kappa=kappa,
        lower=max(-1.0, kappa - half),
        upper=min(1.0, kappa + half),
        standard_error=se,
        observed=observed,
        expected=expected,
        n=n,
        confidence=confidence,
    )
