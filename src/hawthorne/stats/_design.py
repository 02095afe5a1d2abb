"""Design-based deviation rate from a stratified review sample.

The review queue draws its sample by stratum (a simple random sample without replacement of n_h
of the N_h decisions in stratum h, strata drawn independently), with unequal sampling fractions:
a risky stratum is sampled more heavily than a quiet one. Each sampled decision then stands for
1/π = N_h / n_h decisions of its stratum, and the rate of the whole population is the
Horvitz–Thompson estimate (Horvitz, D. G. & Thompson, D. J. (1952), "A generalization of
sampling without replacement from a finite universe", JASA 47(260):663-685, the estimator
Σ y_i / π_i of the population total, divided by the known N). Under stratified simple random
sampling it is the stratified proportion of Cochran, W. G. (1977), *Sampling Techniques*, 3rd
ed., Wiley, ch. 5 (Theorem 5.1 for the stratified mean; §5.10 for proportions)::

    p̂ = Σ_h W_h p_h,   W_h = N_h / N,   p_h = y_h / n_h

which is unbiased. Its variance is estimated without bias by the stratified variance with each
stratum's finite-population correction f_h = n_h / N_h (Cochran 1977, Theorem 5.2 with the
sample variance s_h² = n_h p_h q_h / (n_h − 1) of a 0/1 variable, §3.2 and §5.10)::

    v̂(p̂) = Σ_h W_h² (1 − f_h) p_h (1 − p_h) / (n_h − 1)

The interval is that of Korn, E. L. & Graubard, B. I. (1998), "Confidence intervals for
proportions with small expected number of positive counts estimated from survey data", Survey
Methodology 24(2):193-201: the Clopper–Pearson interval (Clopper, C. J. & Pearson, E. S. (1934),
Biometrika 26(4):404-413) in its beta form, with the sample size replaced by the effective
sample size n* = p̂(1 − p̂) / v̂ (capped at n = Σ n_h) and the count by x* = n* p̂::

    lower = Beta⁻¹(α/2; x*, n* − x* + 1),   upper = Beta⁻¹(1 − α/2; x* + 1, n* − x*)

(lower = 0 at p̂ = 0, upper = 1 at p̂ = 1). Their optional degrees-of-freedom adjustment
multiplies n* by (t_{n−1} / t_d)² with d = n − H, the design's degrees of freedom (H strata),
and t_k the Student quantile at the interval's level. See `stratified_rate` for the cases the
variance cannot speak to (p̂ = 0 or 1, a zero variance, strata of one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scipy.stats import beta, t  # type: ignore[import-untyped]

__all__ = ["RateEstimate", "StratumSample", "meets_tolerable_rate", "stratified_rate"]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class StratumSample:
    """One stratum of a review sample: its size, the items labelled and the deviations found.

    Attributes:
        name: The stratum's name (unique within a sample).
        population: N_h, the decisions in the stratum (at least 1).
        sample: n_h, the decisions drawn at random without replacement and labelled.
        deviations: y_h, the labelled decisions that deviated from the protocol.

    Raises:
        ValueError: A count that is not an integer, or not 0 <= y_h <= n_h <= N_h with N_h >= 1.
    """

    name: str
    population: int
    sample: int
    deviations: int

    def __post_init__(self) -> None:
        for field, value in (
            ("population", self.population),
            ("sample", self.sample),
            ("deviations", self.deviations),
        ):
            if not _is_count(value):
                raise ValueError(
                    f"stratum {self.name!r}: {field} must be an integer, got {value!r}"
                )
        if self.population < 1:
            raise ValueError(
                f"stratum {self.name!r}: the population must hold at least one decision, "
                f"got {self.population}"
            )
        if not 0 <= self.sample <= self.population:
            raise ValueError(
                f"stratum {self.name!r}: need 0 <= sample <= population, "
                f"got sample {self.sample} of {self.population}"
            )
        if not 0 <= self.deviations <= self.sample:
            raise ValueError(
                f"stratum {self.name!r}: need 0 <= deviations <= sample, "
                f"got {self.deviations} deviations in {self.sample}"
            )


@dataclass(frozen=True)
class RateEstimate:
    """The population deviation rate estimated from a stratified review sample.

    Attributes:
        estimate: p̂, the Horvitz–Thompson (stratified) estimate of the deviation rate.
        lower: The lower end of the two-sided interval at ``confidence``.
        upper: The upper end of the two-sided interval at ``confidence``.
        upper_one_sided: The one-sided upper bound at ``confidence`` (the upper end of the
            two-sided interval at 2C − 1): the figure to compare with a tolerable rate.
        standard_error: √v̂, the estimated standard error of p̂ (0 for a census).
        effective_n: n*, the sample size the two-sided interval used.
        sample: n = Σ n_h, the decisions labelled.
        population: N = Σ N_h, the decisions the estimate speaks for.
        deviations: Σ y_h, the deviations found (unweighted).
        confidence: C, the confidence of both the interval and the bound.
    """

    estimate: float
    lower: float
    upper: float
    upper_one_sided: float
    standard_error: float
    effective_n: float
    sample: int
    population: int
    deviations: int
    confidence: float

    def to_json(self) -> dict[str, Any]:
        """The estimate as JSON-ready data."""
        return asdict(self)


def _beta_limits(p: float, n_star: float, level: float, two_sided: bool) -> tuple[float, float]:
    """Clopper–Pearson limits for x* = n* p successes in n* trials (the beta form)."""
    alpha = 1.0 - level
    tail = alpha / 2.0 if two_sided else alpha
    x = n_star * p
    lower = 0.0 if p <= 0.0 else float(beta.ppf(tail, x, n_star - x + 1.0))
    upper = 1.0 if p >= 1.0 else float(beta.ppf(1.0 - tail, x + 1.0, n_star - x))
    return lower, upper


def stratified_rate(
    strata: Sequence[StratumSample],
    confidence: float = 0.95,
    *,
    df_adjustment: bool = False,
) -> RateEstimate:
    """The deviation rate of a stratified review sample, with Korn–Graubard bounds.

    The estimate p̂ = Σ W_h y_h / n_h and its variance v̂ = Σ W_h² (1 − f_h) p_h q_h / (n_h − 1)
    are the Horvitz–Thompson / Cochran formulas of the module docstring (Cochran 1977, Theorems
    5.1–5.2, §5.10); the interval is Korn & Graubard's (1998) Clopper–Pearson interval at the
    effective sample size n* = min(n, p̂ q̂ / v̂), x* = n* p̂. The one-sided upper bound is the
    upper end of the same construction at level 2C − 1, i.e. Beta⁻¹(C; x* + 1, n* − x*).

    Choices where the formulas are silent:

    * **A stratum of one** (n_h = 1 < N_h) has no sample variance. Its term is the largest
      variance a single draw can have, W_h² / 4: for a 0/1 variable V(ȳ_h) = (1 − f_h) S_h² /
      n_h with S_h² = N_h P_h Q_h / (N_h − 1) <= N_h / (4 (N_h − 1)), which at n_h = 1 is at
      most 1/4 (Cochran 1977, Theorem 2.2 and §3.2). A census stratum (n_h = N_h) adds 0.
    * **No variance to speak of**: at p̂ = 0 or 1, or when v̂ = 0 without a census (every sampled
      stratum unanimous), p̂ q̂ / v̂ says nothing. n* is then Kish's effective sample size for
      unequal weights, n_w = (Σ w_i)² / Σ w_i² = 1 / Σ_h (W_h² / n_h) (Kish, L. (1992),
      "Weighting for unequal P_i", Journal of Official Statistics 8(2):183-200, the design
      effect 1 + L = n Σ w_i² / (Σ w_i)²). It equals n for one stratum or a proportional
      allocation, so 0 deviations in 59 bound the rate at 1 − 0.05^(1/59) = 4.95% at 95%, the
      attribute-sampling figure (`deviation_upper_bound`); with unequal fractions it is smaller
      than n, so a zero found mostly in lightly sampled, heavily weighted strata is not read as
      if every labelled item had weighed the same.
    * **A census of every stratum** has no sampling error: lower = upper = upper_one_sided =
      p̂, standard error 0, effective_n = n.
    * **Degrees of freedom** (``df_adjustment=True``): n* is multiplied by (t_{n−1,q} /
      t_{d,q})², d = n − H, q = 1 − α/2 for the two-sided interval and q = C for the one-sided
      bound (Korn & Graubard 1998, the df-adjusted effective sample size), after the cap at n.
      It is applied only where n* comes from v̂ (not to Kish's n_w, which uses no variance
      estimate). Off by default: for a stratified sample of single decisions d is n − H, and the
      factor is within a few per cent of 1 unless the sample is tiny.

    Args:
        strata: The strata, each with at least one labelled decision.
        confidence: C, for the two-sided interval and the one-sided bound.
        df_adjustment: Apply Korn & Graubard's degrees-of-freedom adjustment to n*.

    Returns:
        The estimate, its two-sided interval, its one-sided upper bound and their inputs.

    Raises:
        ValueError: No strata, two strata of one name, a stratum with no labelled decision
            (its rate cannot be estimated; the error names it), C outside (0, 1), or
            ``df_adjustment`` with no degrees of freedom (n − H < 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"the confidence must lie in (0, 1), got {confidence!r}")
    if not strata:
        raise ValueError("need at least one stratum")
    names = [s.name for s in strata]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"stratum names must be unique, repeated: {duplicates}")
    for s in strata:
        if s.sample == 0:
            raise ValueError(
                f"stratum {s.name!r} has {s.population} decisions but none labelled: "
                "the rate cannot be estimated without a sample from every stratum"
            )
    big_n = sum(s.population for s in strata)
    n = sum(s.sample for s in strata)
    deviations = sum(s.deviations for s in strata)
    estimate = min(1.0, math.fsum(s.population * s.deviations / s.sample for s in strata) / big_n)

    terms = []
    for s in strata:
        weight = s.population / big_n
        if s.sample == s.population:
            continue
        if s.sample == 1:
            terms.append(weight * weight / 4.0)
            continue
        p_h = s.deviations / s.sample
        fpc = 1.0 - s.sample / s.population
        terms.append(weight * weight * fpc * p_h * (1.0 - p_h) / (s.sample - 1))
    variance = math.fsum(terms)

    def result(lower: float, upper: float, upper_one_sided: float, n_star: float) -> RateEstimate:
        return RateEstimate(
            estimate=estimate,
            lower=lower,
            upper=upper,
            upper_one_sided=upper_one_sided,
            standard_error=math.sqrt(variance),
            effective_n=n_star,
            sample=n,
            population=big_n,
            deviations=deviations,
            confidence=confidence,
        )

    if all(s.sample == s.population for s in strata):
        return result(estimate, estimate, estimate, float(n))

    degrees = n - len(strata)
    if df_adjustment and degrees < 1:
        raise ValueError(
            f"the degrees-of-freedom adjustment needs more labelled decisions than strata, "
            f"got {n} in {len(strata)} strata"
        )
    pq = estimate * (1.0 - estimate)
    from_variance = pq > 0.0 and variance > 0.0
    if from_variance:
        n_star = min(float(n), pq / variance)
    else:
        kish = 1.0 / math.fsum((s.population / big_n) ** 2 / s.sample for s in strata)
        n_star = min(float(n), kish)

    def adjusted(quantile: float) -> float:
        if not (df_adjustment and from_variance):
            return n_star
        ratio = float(t.ppf(quantile, n - 1)) / float(t.ppf(quantile, degrees))
        return n_star * ratio * ratio

    alpha = 1.0 - confidence
    n_two = adjusted(1.0 - alpha / 2.0)
    lower, upper = _beta_limits(estimate, n_two, confidence, two_sided=True)
    _, upper_one_sided = _beta_limits(estimate, adjusted(confidence), confidence, two_sided=False)
    return result(lower, upper, upper_one_sided, n_two)


def meets_tolerable_rate(estimate: RateEstimate, tolerable_rate: float) -> bool:
    """Whether the review supports a deviation rate at or below the tolerable rate.

    The attribute-sampling decision rule (AICPA, *Audit Sampling* audit guide, ch. 3): the
    sample supports the control when the one-sided upper bound at the confidence C does not
    exceed the tolerable rate p_t, ``upper_one_sided <= p_t``.

    Args:
        estimate: The result of `stratified_rate`.
        tolerable_rate: p_t, in (0, 1).

    Returns:
        True when ``estimate.upper_one_sided <= tolerable_rate``.

    Raises:
        ValueError: A tolerable rate outside (0, 1).
    """
    if not 0.0 < tolerable_rate < 1.0:
        raise ValueError(f"the tolerable rate must lie in (0, 1), got {tolerable_rate!r}")
    return estimate.upper_one_sided <= tolerable_rate
