"""Null model of a before–after biomarker study that tests many markers.

Each simulated study has ``n`` patients measured at baseline and at follow-up on
``k`` markers. Within a patient the markers share a common correlation ``rho``
(an equicorrelated multivariate normal); each marker's follow-up value is
correlated with its baseline value (``time_correlation``). Nothing changes on
average between the visits (unless ``effect`` is set for the first marker), so
every "significant" change is a false positive. Each marker is tested with a
paired test (scipy's paired t-test, or the Wilcoxon signed-rank test), as a
one-arm study comparing month 3 with month 0 would do.

Why the baseline–follow-up correlation does not matter under the null: with
baseline ``X ~ N(0, R)`` and follow-up ``Y = r X + sqrt(1 − r²) E`` (``E ~ N(0, R)``
independent), the change ``Y − X`` is ``N(0, 2(1 − r) R)``: the same correlation
``R`` between markers, only rescaled, and the paired tests are scale-free.

Everything is vectorized over ``n_sims`` studies at once and seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .. import _checks as chk
from . import rng

__all__ = [
    "TESTS",
    "min_correlation",
    "check_correlation",
    "equicorrelation",
    "correlated_normals",
    "one_sample_t_pvalues",
    "NullStudies",
    "simulate_prepost",
    "simulate_changes",
    "simulate_block_changes",
    "exaggeration",
    "Exaggeration",
    "FamilyError",
    "family_error",
    "PatternCurve",
    "pattern_curve",
]

TESTS = ("t", "wilcoxon")
#: most markers: the k × k correlation matrix of a negative rho is built in full
MAX_MARKERS = 2_000
#: most random numbers one simulation may draw (n_sims × n × k): about 2 s and 1 GiB here
MAX_DRAWS = 20_000_000
#: most studies :func:`pattern_curve` simulates (in chunks, so memory stays at one chunk)
MAX_CHUNKED_STUDIES = 2_000_000
#: most random numbers :func:`pattern_curve` draws in all (n_sims × n × k): about 40 s here
MAX_CHUNKED_DRAWS = 1_000_000_000
#: most chunks :func:`pattern_curve` loops over (a tiny chunk would make a long Python loop)
MAX_CHUNKS = 10_000


def _check_draws(n_sims: int, n: int, k: int) -> None:
    chk.size_limit("n_sims × n × k", n_sims * n * k, MAX_DRAWS, "simulated studies × patients × markers")


def min_correlation(k: int) -> float:
    """Smallest common correlation for which ``k`` equicorrelated variables exist: ``−1/(k − 1)``.

    The equicorrelation matrix ``(1 − ρ) I + ρ J`` has eigenvalues ``1 + (k − 1) ρ``
    (once) and ``1 − ρ`` (``k − 1`` times), so it is positive definite exactly
    when ``−1/(k − 1) < ρ < 1``. For ``k = 1`` the bound is −1.
    """
    k = chk.integer("k", k, low=1, high=MAX_MARKERS)
    return -1.0 if k == 1 else -1.0 / (k - 1)


def check_correlation(k: int, rho: float) -> float:
    """Return ``rho`` if ``k`` markers can share it (positive definite), else raise ValueError."""
    k = chk.integer("k", k, low=1, high=MAX_MARKERS)
    rho = chk.number("rho", rho)
    low = min_correlation(k)
    if not (low < rho < 1.0):
        raise ValueError(
            f"rho={rho!r} is not allowed: with k={k} markers a common correlation must be in "
            f"({low:.4g}, 1) so that the correlation matrix is positive definite."
        )
    return rho


def equicorrelation(k: int, rho: float) -> np.ndarray:
    """The ``k × k`` correlation matrix with ones on the diagonal and ``rho`` elsewhere (checked)."""
    rho = check_correlation(k, rho)
    k = int(k)
    return (1.0 - rho) * np.eye(k) + rho * np.ones((k, k))


def correlated_normals(size: tuple[int, ...], k: int, rho: float, generator: np.random.Generator) -> np.ndarray:
    """Standard normals of shape ``size + (k,)`` whose last axis is equicorrelated with ``rho``.

    For ``rho ≥ 0`` the one-factor form ``sqrt(ρ) C + sqrt(1 − ρ) E`` (a common normal
    ``C`` shared by the ``k`` markers plus independent normals ``E``) has exactly this
    correlation and needs no matrix product; for ``rho < 0`` the Cholesky factor of
    :func:`equicorrelation` is used.
    """
    rho = check_correlation(k, rho)
    k = int(k)
    if not isinstance(size, tuple) or not size:
        raise chk.ArgumentTypeError(f"size={size!r} is not allowed: size must be a non-empty tuple of whole numbers, e.g. (1000, 15).")
    size = tuple(chk.integer(f"size[{i}]", s, low=1) for i, s in enumerate(size))
    chk.size_limit("prod(size) × k", int(np.prod(size, dtype=object)) * k, MAX_DRAWS, "random numbers drawn")
    chk.instance("generator", generator, np.random.Generator, "numpy.random.Generator")
    if rho >= 0:
        own = generator.standard_normal((*size, k))
        common = generator.standard_normal((*size, 1))
        return np.sqrt(1.0 - rho) * own + np.sqrt(rho) * common
    cholesky = np.linalg.cholesky(equicorrelation(k, rho))
    return generator.standard_normal((*size, k)) @ cholesky.T


def one_sample_t_pvalues(x: np.ndarray, axis: int = 1) -> np.ndarray:
    """Two-sided p-values of the one-sample t-test of mean 0 along ``axis`` (vectorized).

    ``t = mean / (sd / sqrt(n))`` with the ``n − 1`` sample SD, ``p = 2 P(T_{n−1} > |t|)``
    from :data:`scipy.stats.t` — the same test as :func:`scipy.stats.ttest_1samp`, written
    out because scipy's general-purpose wrapper costs about as much again in checks, which
    matters inside a widget callback. ``tests/test_sim_multiplicity.py`` pins the two
    against each other.
    """
    x = chk.array("x", x, ndim=(1, 2, 3, 4), max_size=MAX_DRAWS)
    axis = chk.integer("axis", axis, low=-x.ndim, high=x.ndim - 1)
    n = x.shape[axis]
    if n < 2:
        raise ValueError(f"x.shape[{axis}]={n} is not allowed: a t-test needs at least 2 values along axis {axis}.")
    sd = x.std(axis=axis, ddof=1)
    if np.any(sd == 0):
        raise ValueError("x is not allowed: some samples along the axis are constant (SD 0), so their t statistic "
                         "and p-value are undefined; a paired test needs differences that vary.")
    t = x.mean(axis=axis) / (sd / np.sqrt(n))
    return 2.0 * stats.t.sf(np.abs(t), n - 1)


@dataclass(frozen=True)
class NullStudies:
    """P-values of ``n_sims`` simulated studies (rows) × ``k`` markers (columns), with the settings."""

    pvalues: np.ndarray
    n: int
    k: int
    rho: float
    test: str
    effect: float
    seed: int

    @property
    def n_sims(self) -> int:
        return int(self.pvalues.shape[0])

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        """Boolean array: which marker is "significant" (p < ``alpha``) in which study."""
        alpha = chk.probability("alpha", alpha)
        return self.pvalues < alpha

    def n_significant(self, alpha: float = 0.05, markers: int | None = None) -> np.ndarray:
        """Number of "significant" markers in each simulated study (among the first ``markers``, default all)."""
        markers = self.k if markers is None else chk.integer("markers", markers, low=1, high=self.k)
        return self.significant(alpha)[:, :markers].sum(axis=1)

    def fwer(self, alpha: float = 0.05) -> float:
        """Share of studies with at least one p < ``alpha`` (the family-wise error rate under the null)."""
        return float(self.significant(alpha).any(axis=1).mean())

    def fwer_se(self, alpha: float = 0.05) -> float:
        """Monte Carlo standard error of :meth:`fwer`: ``sqrt(f (1 − f) / n_sims)``."""
        f = self.fwer(alpha)
        return float(np.sqrt(f * (1.0 - f) / self.n_sims))

    def fwer_by_markers(self, alpha: float = 0.05) -> np.ndarray:
        """Family-wise error when only the first ``j`` markers are tested, for ``j = 1 … k``."""
        return np.logical_or.accumulate(self.significant(alpha), axis=1).mean(axis=0)

    def share_exactly(self, count: int, alpha: float = 0.05, markers: int | None = None) -> float:
        """Share of studies with exactly ``count`` markers at p < ``alpha`` (among the first ``markers``)."""
        count = chk.integer("count", count, low=0, high=self.k)
        return float((self.n_significant(alpha, markers) == count).mean())

    def mean_false_positives(self, alpha: float = 0.05, markers: int | None = None) -> float:
        """Mean number of p < ``alpha`` per study (close to ``markers × α`` under the null)."""
        return float(self.n_significant(alpha, markers).mean())

    def _pattern(self, below: float, above: float) -> np.ndarray:
        """Boolean (studies × j): among the first ``j`` markers exactly one p < ``below`` and the rest p > ``above``."""
        below = chk.probability("below", below)
        above = chk.probability("above", above)
        if below > above:
            raise ValueError(f"below={below!r} is not allowed: below must be at most above={above!r}.")
        n_below = np.cumsum(self.pvalues < below, axis=1)
        n_not_above = np.cumsum(self.pvalues <= above, axis=1)
        # the one p-value below `below` is also the only one not above `above`
        return (n_below == 1) & (n_not_above == 1)

    def one_below_rest_above(self, below: float = 0.01, above: float = 0.05, markers: int | None = None) -> float:
        """Share of studies showing the pattern "exactly one p < ``below``, every other p > ``above``".

        Among the first ``markers`` (default all). Under independence it approaches
        :func:`appraisal.multiple_testing.one_below_rest_above`; with correlated markers it
        is what the simulation says.
        """
        markers = self.k if markers is None else chk.integer("markers", markers, low=1, high=self.k)
        return float(self._pattern(below, above)[:, markers - 1].mean())

    def one_below_rest_above_by_markers(self, below: float = 0.01, above: float = 0.05) -> np.ndarray:
        """:meth:`one_below_rest_above` when only the first ``j`` markers are tested, for ``j = 1 … k``."""
        return self._pattern(below, above).mean(axis=0)

    def share_se(self, share: float) -> float:
        """Monte Carlo standard error of a share of these studies: ``sqrt(s (1 − s) / n_sims)``."""
        share = chk.in_range("share", share, 0.0, 1.0)
        return float(np.sqrt(share * (1.0 - share) / self.n_sims))


def simulate_prepost(n: int = 15, k: int = 10, rho: float = 0.0, n_sims: int = 2000, seed: int = 0,
                     time_correlation: float = 0.5, test: str = "t", effect: float = 0.0) -> NullStudies:
    """Simulate ``n_sims`` one-arm before–after studies and test every marker.

    Parameters
    ----------
    n : patients per study (≥ 3: a paired test needs at least two differences and a spread).
    k : markers per study (≥ 1).
    rho : common correlation between markers within a patient, in ``(−1/(k − 1), 1)``.
    n_sims : number of simulated studies (1 … 200 000); ``n_sims × n × k`` is limited to
        :data:`MAX_DRAWS` (20 000 000 random numbers, a few seconds) and ``k`` to
        :data:`MAX_MARKERS` (2000).
    seed : seed for :func:`appraisal.simulate.rng`.
    time_correlation : correlation between a marker's baseline and follow-up values, in [0, 1).
    test : ``"t"`` (paired t-test, :func:`scipy.stats.ttest_rel`) or ``"wilcoxon"``
        (signed-rank test, :func:`scipy.stats.wilcoxon`).
    effect : true mean change of the FIRST marker, in standard deviations of the
        change (0 = the global null; other markers never change).
    """
    n = chk.integer("n", n, low=3, high=100_000)
    k = chk.integer("k", k, low=1, high=MAX_MARKERS)
    rho = check_correlation(k, rho)
    n_sims = chk.integer("n_sims", n_sims, low=1, high=200_000)
    _check_draws(n_sims, n, k)
    seed = chk.seed("seed", seed)
    r = chk.in_range("time_correlation", time_correlation, 0.0, 1.0, high_inclusive=False)
    chk.one_of("test", test, TESTS)
    effect = chk.in_range("effect", effect, -20.0, 20.0)  # in SDs of the change: beyond 20 every test rejects

    g = rng(seed)
    before = correlated_normals((n_sims, n), k, rho, g)
    after = r * before + np.sqrt(1.0 - r * r) * correlated_normals((n_sims, n), k, rho, g)
    if effect:
        after[..., 0] += effect * np.sqrt(2.0 * (1.0 - r))  # sd of the change is sqrt(2(1 − r))
    if test == "t":
        p = stats.ttest_rel(after, before, axis=1).pvalue
    else:
        p = stats.wilcoxon(after - before, axis=1).pvalue
    p = np.asarray(p, dtype=float)
    if not np.isfinite(p).all():  # cannot happen with continuous data; never let NaN travel on
        raise ValueError(f"test={test!r} is not allowed here: it returned non-finite p-values for n={n}.")
    return NullStudies(pvalues=p, n=n, k=k, rho=rho, test=test, effect=effect, seed=seed)


def simulate_changes(n: int = 15, k: int = 10, rho: float = 0.0, n_sims: int = 2000, seed: int = 0) -> NullStudies:
    """The same null model as :func:`simulate_prepost` with the t-test, drawing only the changes.

    Under the null the change ``follow-up − baseline`` is an equicorrelated normal
    vector (see the module note), and the paired t-test of the two visits is the
    one-sample t-test of the changes (:func:`one_sample_t_pvalues`, equal to
    :func:`scipy.stats.ttest_1samp`). Drawing the
    changes directly halves the random numbers, which keeps the widget fast; the
    p-values have the same distribution as those of :func:`simulate_prepost`.
    """
    n = chk.integer("n", n, low=3, high=100_000)
    k = chk.integer("k", k, low=1, high=MAX_MARKERS)
    rho = check_correlation(k, rho)
    n_sims = chk.integer("n_sims", n_sims, low=1, high=200_000)
    _check_draws(n_sims, n, k)
    seed = chk.seed("seed", seed)
    change = correlated_normals((n_sims, n), k, rho, rng(seed))
    p = one_sample_t_pvalues(change, axis=1)
    return NullStudies(pvalues=p, n=n, k=k, rho=rho, test="t", effect=0.0, seed=seed)


def simulate_block_changes(n: int = 15, k_independent: int = 19, k_block: int = 41, rho_block: float = 0.95,
                           n_sims: int = 2000, seed: int = 0) -> NullStudies:
    """Null studies whose markers are NOT equicorrelated: ``k_independent`` independent markers
    followed by ``k_block`` markers sharing correlation ``rho_block`` (one block).

    A counterexample to "correlation always makes the pattern 'one p < 0.01, every other
    p > 0.05' rarer": a tight block behaves almost like one test, so the study has
    effectively ``k_independent + 1`` tests and the pattern's chance moves towards
    the independent formula at that smaller count. Changes are drawn directly and
    tested with the one-sample t-test, as in :func:`simulate_changes`. The columns
    are ordered independent first, block last; ``rho`` of the result is ``rho_block``.
    """
    n = chk.integer("n", n, low=3, high=100_000)
    k_independent = chk.integer("k_independent", k_independent, low=0, high=MAX_MARKERS)
    k_block = chk.integer("k_block", k_block, low=1, high=MAX_MARKERS)
    if k_independent + k_block > MAX_MARKERS:
        raise ValueError(f"k_independent + k_block={k_independent + k_block} is not allowed: at most {MAX_MARKERS} markers.")
    rho_block = chk.in_range("rho_block", rho_block, -1.0, 1.0, low_inclusive=False, high_inclusive=False)
    low = -1.0 / (k_block - 1) if k_block > 1 else -1.0
    if rho_block <= low:
        raise ValueError(f"rho_block={rho_block!r} is not allowed: with k_block={k_block} markers a common correlation "
                         f"must be in ({low:.3g}, 1).")
    rho_block = check_correlation(k_block, rho_block)
    n_sims = chk.integer("n_sims", n_sims, low=1, high=200_000)
    _check_draws(n_sims, n, k_independent + k_block)
    seed = chk.seed("seed", seed)
    g = rng(seed)
    free = g.standard_normal((n_sims, n, k_independent))
    block = correlated_normals((n_sims, n), k_block, rho_block, g)
    change = np.concatenate([free, block], axis=-1)
    p = one_sample_t_pvalues(change, axis=1)
    return NullStudies(pvalues=p, n=n, k=k_independent + k_block, rho=rho_block, test="t", effect=0.0, seed=seed)


@dataclass(frozen=True)
class Exaggeration:
    """Power and exaggeration (type M) of a paired t-test when the true change is ``effect``."""

    n: int
    effect: float
    alpha: float
    n_sims: int
    power: float
    exaggeration: float
    exaggeration_se: float


def exaggeration(n: int = 15, effect: float = 0.5, alpha: float = 0.05, n_sims: int = 20000,
                 seed: int = 0) -> Exaggeration:
    """Simulate paired changes with true standardized mean ``effect`` and test each study.

    Returns the share significant (power) and the exaggeration ratio, the mean of
    ``|estimated effect| / effect`` among studies with p < ``alpha`` (the "type M"
    error of Gelman and Carlin, *Perspect. Psychol. Sci.* 2014;9:641–651). Normal data,
    standard deviation of the change 1; estimated effect = mean change / 1.
    """
    n = chk.integer("n", n, low=3, high=100_000)
    effect = chk.in_range("effect", effect, 0.0, 20.0, low_inclusive=False)  # in SDs: beyond 20 every test rejects
    alpha = chk.probability("alpha", alpha)
    n_sims = chk.integer("n_sims", n_sims, low=10, high=200_000)
    _check_draws(n_sims, n, 1)
    seed = chk.seed("seed", seed)
    change = rng(seed).standard_normal((n_sims, n)) + effect
    p = one_sample_t_pvalues(change, axis=1)
    sig = p < alpha
    if not sig.any():
        raise ValueError(f"n_sims={n_sims!r} is not allowed here: no simulated study reached p < {alpha}.")
    ratio = np.abs(change.mean(axis=1)[sig]) / effect
    return Exaggeration(n=n, effect=effect, alpha=alpha, n_sims=n_sims, power=float(sig.mean()),
                        exaggeration=float(ratio.mean()),
                        exaggeration_se=float(ratio.std(ddof=1) / np.sqrt(sig.sum())))


@dataclass(frozen=True)
class FamilyError:
    """Summary of a null simulation at one significance level (what the widget shows)."""

    n: int
    k: int
    rho: float
    alpha: float
    n_sims: int
    fwer: float
    fwer_se: float
    fwer_independent: float
    fwer_by_markers: np.ndarray
    mean_false_positives: float
    share_exactly_one: float
    below: float
    above: float
    pattern: float
    pattern_independent: float
    pattern_by_markers: np.ndarray


def family_error(n: int = 15, k: int = 10, rho: float = 0.0, alpha: float = 0.05, n_sims: int = 1000,
                 seed: int = 2024, below: float = 0.01, above: float = 0.05) -> FamilyError:
    """Family-wise error of ``k`` paired t-tests on ``n`` patients under the null, simulated and analytic.

    Simulated with :func:`simulate_changes` (fast, same distribution as :func:`simulate_prepost`).
    ``fwer_independent`` is ``1 − (1 − α)^k`` (:func:`appraisal.multiple_testing.fwer_independent`),
    the value the simulation should approach when ``rho = 0``. ``pattern`` is the simulated
    share of studies with exactly one p < ``below`` and every other p > ``above`` (the
    pattern a report of "one marker p < 0.01, all others p > 0.05" describes), and
    ``pattern_independent`` its formula for independent tests,
    :func:`appraisal.multiple_testing.one_below_rest_above`.
    """
    from ..multiple_testing import fwer_independent, one_below_rest_above

    alpha = chk.probability("alpha", alpha)
    sims = simulate_changes(n=n, k=k, rho=rho, n_sims=n_sims, seed=seed)
    pattern_curve = sims.one_below_rest_above_by_markers(below, above)
    return FamilyError(
        n=sims.n, k=sims.k, rho=sims.rho, alpha=alpha, n_sims=sims.n_sims,
        fwer=sims.fwer(alpha), fwer_se=sims.fwer_se(alpha), fwer_independent=fwer_independent(sims.k, alpha),
        fwer_by_markers=sims.fwer_by_markers(alpha), mean_false_positives=sims.mean_false_positives(alpha),
        share_exactly_one=sims.share_exactly(1, alpha),
        below=float(below), above=float(above), pattern=float(pattern_curve[-1]),
        pattern_independent=one_below_rest_above(sims.k, below, above), pattern_by_markers=pattern_curve,
    )


@dataclass(frozen=True)
class PatternCurve:
    """Share of null studies showing "exactly one p < ``below``, every other p > ``above``", by markers tested.

    ``share[j − 1]`` is the share when only the first ``j`` markers are tested (``j = 1 … k``),
    from ``n_sims`` simulated studies; ``se`` is its Monte Carlo standard error.
    """

    n: int
    k: int
    rho: float
    below: float
    above: float
    n_sims: int
    seed: int
    share: np.ndarray

    @property
    def se(self) -> np.ndarray:
        """Monte Carlo standard error of each share: ``sqrt(s (1 − s) / n_sims)``."""
        return np.sqrt(self.share * (1.0 - self.share) / self.n_sims)

    def at(self, markers: int) -> float:
        """The share when the first ``markers`` markers are tested."""
        markers = chk.integer("markers", markers, low=1, high=self.k)
        return float(self.share[markers - 1])

    def se_at(self, markers: int) -> float:
        """Monte Carlo standard error of :meth:`at`."""
        markers = chk.integer("markers", markers, low=1, high=self.k)
        return float(self.se[markers - 1])


def pattern_curve(n: int = 15, k: int = 60, rho: float = 0.0, n_sims: int = 100_000, seed: int = 0,
                  below: float = 0.01, above: float = 0.05, chunk: int = 10_000) -> PatternCurve:
    """The pattern share of :meth:`NullStudies.one_below_rest_above_by_markers` from many studies, in chunks.

    The same null model and test as :func:`simulate_changes` (equicorrelated normal
    changes, one-sample t-test of each marker's changes), but the studies are drawn
    ``chunk`` at a time from one generator and only the pattern counts are kept, so
    the Monte Carlo error can be made small (about 0.05 points for a share near 3%
    with 100 000 studies) without holding every p-value in memory. Instead of
    p-values, each ``|t|`` is compared with the two critical values of ``t`` with
    ``n − 1`` degrees of freedom (``p < below`` exactly when ``|t|`` exceeds the
    ``below`` critical value), which gives the same decisions faster. When
    ``n_sims ≤ chunk`` the draws are exactly those of :func:`simulate_changes` with
    the same seed (``tests/test_sim_multiplicity.py`` pins the two together).

    Parameters
    ----------
    n : patients per study (≥ 3).  k : markers per study (≥ 1).
    rho : common correlation between markers, in ``(−1/(k − 1), 1)``.
    n_sims : number of simulated studies (1 … 2 000 000), with ``n_sims × n × k`` at most
        :data:`MAX_CHUNKED_DRAWS`.  seed : seed for :func:`appraisal.simulate.rng`.
    below, above : the pattern's bounds (``below ≤ above``).
    chunk : studies per chunk; ``chunk × n × k`` is limited to :data:`MAX_DRAWS`, and the
        number of chunks to :data:`MAX_CHUNKS`.
    """
    n = chk.integer("n", n, low=3, high=100_000)
    k = chk.integer("k", k, low=1, high=MAX_MARKERS)
    rho = check_correlation(k, rho)
    n_sims = chk.integer("n_sims", n_sims, low=1, high=MAX_CHUNKED_STUDIES)
    chk.size_limit("n_sims × n × k", n_sims * n * k, MAX_CHUNKED_DRAWS, "simulated studies × patients × markers")
    seed = chk.seed("seed", seed)
    below = chk.probability("below", below)
    above = chk.probability("above", above)
    if below > above:
        raise ValueError(f"below={below!r} is not allowed: below must be at most above={above!r}.")
    chunk = chk.integer("chunk", chunk, low=1, high=MAX_DRAWS)
    _check_draws(min(chunk, n_sims), n, k)
    chk.size_limit("chunks (n_sims / chunk, rounded up)", -(-n_sims // chunk), MAX_CHUNKS,
                   "passes through the loop; use larger chunks")

    t_below = stats.t.isf(below / 2.0, n - 1)  # p < below  <=>  |t| > t_below
    t_above = stats.t.isf(above / 2.0, n - 1)  # p <= above <=>  |t| >= t_above
    g = rng(seed)
    counts = np.zeros(k, dtype=np.int64)
    done = 0
    while done < n_sims:
        m = min(chunk, n_sims - done)
        change = correlated_normals((m, n), k, rho, g)
        t = np.abs(change.mean(axis=1) / (change.std(axis=1, ddof=1) / np.sqrt(n)))
        n_below = np.cumsum(t > t_below, axis=1)
        n_not_above = np.cumsum(t >= t_above, axis=1)
        counts += ((n_below == 1) & (n_not_above == 1)).sum(axis=0)
        done += m
    return PatternCurve(n=n, k=k, rho=rho, below=float(below), above=float(above), n_sims=n_sims, seed=seed,
                        share=counts / n_sims)
