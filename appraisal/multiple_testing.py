"""Many comparisons at once: family-wise error, Holm and Benjamini–Hochberg.

A study that tests ``k`` outcomes at level ``alpha`` and reports whichever is
"significant" has a much larger chance than ``alpha`` of reporting at least one
finding when nothing changed. This module gives

* :func:`fwer_independent` – the analytic family-wise error rate
  ``1 − (1 − α)^k`` for ``k`` independent tests of true null hypotheses (the Šidák
  identity; Šidák Z. J Am Stat Assoc 1967;62:626–633);
* :func:`expected_false_positives` – ``k α``, the mean number of "significant"
  results under the global null, whatever the correlation between tests;
* :func:`one_below_rest_above` – the chance of one particular *pattern* among ``k``
  independent null tests: exactly one p below ``below`` and the other ``k − 1`` all
  above ``above``, ``k · below · (1 − above)^(k − 1)`` (a binomial counting argument);
  :func:`one_below_rest_above_max` – its largest value over ``k`` and where it is
  reached. This is not the family-wise rate: the pattern asks in addition that no
  other test comes near significance, so its chance first rises and then falls with ``k``;
* :func:`n_comparisons` – markers × fluids × follow-up visits compared with baseline;
* :func:`adjust`, :func:`holm`, :func:`benjamini_hochberg` – thin wrappers over
  :func:`statsmodels.stats.multitest.multipletests` (Holm 1979; Benjamini and
  Hochberg 1995) that return a tidy table;
* :func:`holm_threshold_for_smallest` – the unadjusted p-value the smallest of ``k``
  p-values must beat to survive Holm (and Bonferroni) at level ``alpha``: ``α / k``.

All functions check their arguments and raise :class:`ValueError` naming the
argument, its value and what is allowed.
"""

from __future__ import annotations

import gc
from typing import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from . import _checks as chk

__all__ = [
    "METHODS",
    "fwer_independent",
    "expected_false_positives",
    "one_below_rest_above",
    "one_below_rest_above_max",
    "n_comparisons",
    "adjust",
    "holm",
    "benjamini_hochberg",
    "holm_threshold_for_smallest",
    "illustrative_family",
]

#: Methods offered, mapped to the names statsmodels uses.
METHODS = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni"}


def fwer_independent(k: int, alpha: float = 0.05) -> float:
    """Chance of at least one p < ``alpha`` among ``k`` independent tests when every null is true.

    ``1 − (1 − α)^k`` (each p-value is uniform on (0, 1) under its null and the
    tests are independent).

    >>> round(fwer_independent(10, 0.05), 4)
    0.4013
    """
    k = chk.integer("k", k, low=1)
    alpha = chk.probability("alpha", alpha)
    return float(1.0 - (1.0 - alpha) ** k)


def expected_false_positives(k: int, alpha: float = 0.05) -> float:
    """Mean number of p < ``alpha`` among ``k`` true null hypotheses: ``k α``.

    Holds for any correlation between the tests (linearity of expectation), so
    correlation changes how the false positives cluster, not how many there are
    on average.
    """
    k = chk.integer("k", k, low=1)
    alpha = chk.probability("alpha", alpha)
    return float(k * alpha)


def _pattern_levels(below, above) -> tuple[float, float]:
    below = chk.probability("below", below)
    above = chk.probability("above", above)
    if below > above:
        raise ValueError(f"below={below!r} is not allowed: below must be at most above={above!r} "
                         "(one p-value below `below`, every other one above `above`).")
    return below, above


def one_below_rest_above(k: int, below: float = 0.01, above: float = 0.05) -> float:
    """Chance that, of ``k`` independent tests of true nulls, exactly one has p < ``below`` and the rest p > ``above``.

    ``k · below · (1 − above)^(k − 1)``. The binomial (multinomial) counting argument
    (Feller W. *An Introduction to Probability Theory and Its Applications*, vol. 1,
    3rd ed., Wiley 1968, ch. VI): under its null each p-value is uniform on (0, 1), so
    it falls below ``below`` with probability ``below`` and above ``above`` with
    probability ``1 − above``; the tests are independent, and the one low p-value can be
    any of the ``k`` tests. With ``below = above = α`` this is the binomial probability
    of exactly one "significant" result, ``k α (1 − α)^(k − 1)``.

    It is the chance of the *pattern* a report such as "one marker p < 0.01, all others
    p > 0.05" describes, **not** the family-wise error rate :func:`fwer_independent`
    (at least one p < α, whatever the others): the pattern also asks that none of the
    other ``k − 1`` tests reaches ``above``, which gets harder as ``k`` grows. Nor is it a
    p-value: a p-value adds up every result at least as extreme as the one seen.

    >>> round(one_below_rest_above(10, 0.01, 0.05), 4)
    0.063
    """
    k = chk.integer("k", k, low=1)
    below, above = _pattern_levels(below, above)
    return float(k * below * (1.0 - above) ** (k - 1))


def one_below_rest_above_max(below: float = 0.01, above: float = 0.05) -> tuple[list[int], float]:
    """The largest value of :func:`one_below_rest_above` over ``k`` and every ``k`` that reaches it.

    The ratio of consecutive values is ``(k + 1)(1 − above) / k``, which is at least 1
    exactly when ``k ≤ (1 − above) / above``; so the chance rises up to
    ``k = ⌊(1 − above) / above⌋ + 1`` and falls after it, and two neighbouring ``k`` tie
    when ``(1 − above) / above`` is a whole number (19 and 20 for ``above = 0.05``).
    Here the ``k`` around that turning point are evaluated and the maximisers are those
    within a relative ``1e-9`` of the largest value (so a tie is reported as a tie, whatever
    the rounding of ``(1 − above) / above``). Returns ``(ks, value)``.

    >>> ks, value = one_below_rest_above_max(0.01, 0.05)
    >>> ks, round(value, 4)
    ([19, 20], 0.0755)
    """
    below, above = _pattern_levels(below, above)
    turn = int(np.floor((1.0 - above) / above))
    ks = np.arange(max(1, turn - 1), turn + 3)
    values = ks * below * (1.0 - above) ** (ks - 1)
    best = float(values.max())
    return [int(k) for k in ks[values >= best * (1.0 - 1e-9)]], best


def n_comparisons(markers: int, fluids: int = 1, follow_up_visits: int = 1) -> int:
    """Number of before–after tests: each marker, in each fluid, at each follow-up visit vs baseline.

    >>> n_comparisons(10, fluids=2, follow_up_visits=3)
    60
    """
    markers = chk.integer("markers", markers, low=1)
    fluids = chk.integer("fluids", fluids, low=1)
    follow_up_visits = chk.integer("follow_up_visits", follow_up_visits, low=1)
    return markers * fluids * follow_up_visits


def _pvalues(pvalues) -> np.ndarray:
    p = chk.array("pvalues", pvalues, ndim=1, finite=False, max_size=1_000_000)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"pvalues={pvalues!r} is not allowed: pvalues must be a non-empty one-dimensional sequence.")
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        raise ValueError(
            f"pvalues={pvalues!r} is not allowed: every p-value must be a finite number in [0, 1] "
            f"(first offending value {float(p[bad][0])!r} at position {int(np.flatnonzero(bad)[0])})."
        )
    return p


def adjust(pvalues: Sequence[float], method: str = "holm", alpha: float = 0.05,
           labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Adjusted p-values and decisions for a set of tests, computed by statsmodels.

    ``method`` is ``"holm"`` (Holm's step-down procedure: controls the family-wise
    error rate), ``"bh"`` (Benjamini–Hochberg: controls the false discovery rate
    under independence or positive dependence) or ``"bonferroni"``. Returns a
    table in the order given, with columns ``test``, ``p``, ``p_adjusted`` and
    ``significant`` (as statsmodels decides it: adjusted p ≤ ``alpha``).
    """
    p = _pvalues(pvalues)
    chk.one_of("method", method, list(METHODS))
    alpha = chk.probability("alpha", alpha)
    if labels is None:
        labels = [f"test {i + 1}" for i in range(p.size)]
    labels = chk.string_list("labels", labels, length=p.size)
    # multipletests runs gc.collect() on every call, which takes a large fraction of a
    # second in a notebook holding many figures; objects that exist now are frozen out of
    # that collection (gc.freeze) and handed back afterwards (gc.unfreeze)
    gc.freeze()
    try:
        reject, p_adj, _, _ = multipletests(p, alpha=alpha, method=METHODS[method])
    finally:
        gc.unfreeze()
    return pd.DataFrame({"test": labels, "p": p, "p_adjusted": p_adj.astype(float), "significant": reject.astype(bool)})


def holm(pvalues: Sequence[float], alpha: float = 0.05, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Holm's step-down adjustment (Holm 1979) via statsmodels; see :func:`adjust`."""
    return adjust(pvalues, "holm", alpha, labels)


def benjamini_hochberg(pvalues: Sequence[float], alpha: float = 0.05,
                       labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Benjamini–Hochberg false-discovery-rate adjustment (1995) via statsmodels; see :func:`adjust`."""
    return adjust(pvalues, "bh", alpha, labels)


def holm_threshold_for_smallest(k: int, alpha: float = 0.05) -> float:
    """The unadjusted p-value the smallest of ``k`` p-values must be below to survive Holm: ``α / k``.

    Holm's first step compares the smallest p-value with ``α / k``, exactly as
    Bonferroni does; a result with only a bound (for example "p < 0.01") is
    certain to survive only when the bound is at most ``α / k``.
    """
    k = chk.integer("k", k, low=1)
    alpha = chk.probability("alpha", alpha)
    return float(alpha / k)


def illustrative_family(smallest: float, k: int, others_above: float = 0.05, seed: int = 0) -> np.ndarray:
    """An ILLUSTRATIVE set of ``k`` p-values: ``smallest`` first, then ``k − 1`` values above ``others_above``.

    For a study that reports one p-value below a bound and only "p > 0.05" for every
    other test, the other p-values are unknown; here they are drawn (seeded) from
    the uniform distribution on (``others_above``, 1), which is what p-values of
    true null hypotheses look like once they are known to exceed ``others_above``.
    The result is a teaching device, not a reconstruction of any study's data.
    """
    smallest = chk.probability("smallest", smallest)
    k = chk.integer("k", k, low=1, high=1_000_000)
    others_above = chk.probability("others_above", others_above)
    seed = chk.seed("seed", seed)
    if smallest >= others_above:
        raise ValueError(
            f"smallest={smallest!r} is not allowed: smallest must be below others_above={others_above!r}."
        )
    others = np.random.default_rng(seed).uniform(others_above, 1.0, size=k - 1)
    return np.concatenate([[smallest], others])
