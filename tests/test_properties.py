"""Property tests: every public function, given hostile arguments, answers cleanly.

For every function named in a module's ``__all__`` (found by :mod:`tests.hostile`, so a
new function is walked without editing this file), each argument in turn is replaced
by a hostile value (NaN, ±inf, huge, negative, zero, empty, a wrong type, "nan"/"inf"/
"1e400" as text, a corrupted table, swapped bounds). The outcome must be a finite, valid
result or a ValueError/TypeError whose message names an argument, within
:data:`hostile.TIME_LIMIT` seconds, never another exception, a NaN or an empty table.
A second test lets hypothesis draw further hostile values. While these tests run the
process may not take more than about 4 GiB of new address space, so that a size that
is not refused up front fails here quickly instead of swapping the machine.
"""

from __future__ import annotations

import math
import resource
import sys
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import hostile  # noqa: E402

FUNCTIONS = hostile.public_functions()


@pytest.fixture(scope="module", autouse=True)
def memory_ceiling():
    """Cap the address space at what the process uses now plus 4 GiB (restored afterwards)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * resource.getpagesize()
    except OSError:
        yield
        return
    cap = used + 4 * 2**30
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_the_walk_covers_the_package():
    assert len(FUNCTIONS) >= 150
    modules = {k.rsplit(".", 1)[0] for k in FUNCTIONS}
    assert {"recompute", "data", "evidence", "simulate.survival", "widgets", "studies.mesems2021"} <= modules


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_hostile_arguments_are_refused_cleanly(key):
    fn = FUNCTIONS[key]
    good = hostile.good_kwargs(key, fn)
    if good is None:
        pytest.skip("no good arguments known for this function")
    problem = hostile.judge(key, fn, dict(good))
    if problem and "has no rows" in problem:
        pytest.skip(f"its data table is not filled in yet: {problem}")
    assert problem is None, f"the good call fails: {problem}"
    failures = [f"{label}: {why}" for label, kwargs in hostile.hostile_calls(key, fn, good)
                if (why := hostile.judge(key, fn, kwargs))]
    assert not failures, f"{key}: {len(failures)} hostile call(s) answered badly:\n" + "\n".join(failures[:20])


# ------------------------------------------------------------------------------------------- hypothesis

_NUMERIC_KEYS = sorted(k for k, fn in FUNCTIONS.items() if hostile.good_kwargs(k, fn) is not None
                       and not k.startswith(("data.", "structured.", "widgets.")))

hostile_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from([0, -1, 10**9, 10**12, 1e-300, -1e300, float("nan"), float("inf")]),
    st.text(alphabet="0123456789.-e%<nainf ", max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
    st.none(),
    st.booleans(),
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_hostile_values(data):
    key = data.draw(st.sampled_from(_NUMERIC_KEYS), label="function")
    fn = FUNCTIONS[key]
    good = hostile.good_kwargs(key, fn)
    if not good:
        return
    name = data.draw(st.sampled_from(sorted(good)), label="argument")
    value = data.draw(hostile_values, label="value")
    problem = hostile.judge(key, fn, {**good, name: value})
    assert problem is None, f"{key}({name}={value!r}): {problem}"


# ------------------------------------------------------------------------------------------- the issue's cases


def test_issue_examples():
    import numpy as np

    from appraisal import audit, equivalence, evidence, ppv, recompute
    from appraisal.simulate import multiplicity, survival

    cases = [
        (lambda: recompute.ratio_ci_from_p(0.5, 1 - 1e-12), r"p=.* is not allowed with estimate=0.5"),
        (lambda: audit.rounding_tolerance("nan"), r"printed='nan' is not allowed"),
        (lambda: audit.rounding_tolerance("inf"), r"printed='inf' is not allowed"),
        (lambda: audit.rounding_tolerance("1e400"), r"printed='1e400' is not allowed"),
        (lambda: evidence.p_range_from_printed_ci("0.9", "1.5", "0.5"), r"lower='1.5' is not allowed"),
        (lambda: equivalence.p_range_under_rounding("0.9", "1.5", "0.5"), r"lower='1.5' is not allowed"),
        (lambda: equivalence.p_range_under_rounding("2.00", "0.50", "1.50"), r"estimate='2.00' is not allowed"),
        (lambda: ppv.probability_true_if_not_significant(1.0, 1.0), r"prior=1.0 is not allowed with power=1.0"),
        (lambda: evidence.grade_level("high", [0] * 9), r"changes=.* must be a list of exactly 5 items"),
        (lambda: multiplicity.one_sample_t_pvalues(np.ones((4, 6))), r"x is not allowed: some samples"),
        (lambda: survival.replicate_hr(min_followup_months=0.01, accrual_months=0.0, median_days=9000),
         r"min_followup_months=0.01 is not allowed"),
    ]
    import re

    for call, pattern in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert re.search(pattern, str(err.value)), str(err.value)


def test_sizes_are_refused_before_any_work():
    import time

    from appraisal import reconstruct, twobytwo
    from appraisal.simulate import lesions, matched_pairs, multiplicity, single_arm, survival

    calls = [
        lambda: multiplicity.simulate_prepost(n=1000, k=1000, n_sims=1000),
        lambda: multiplicity.simulate_changes(n=100, k=2000, n_sims=200_000),
        lambda: multiplicity.equicorrelation(10**6, 0.1),
        lambda: survival.replicate_hr(n_studies=20_000, n_per_arm=5_000),
        lambda: matched_pairs.simulate_matched_pairs(n_pairs=100_000, n_studies=10_000),
        lambda: matched_pairs.simulate_matched_pairs(n_pairs=67, n_studies=2_000, pool_factor=100),
        lambda: lesions.simulate_trial(n_msc=1_000_000, n_placebo=1_000_000, n_trials=1_000_000),
        lambda: twobytwo.consistent_splits(10_000, "33%", "28%"),
        lambda: twobytwo.counts_for_percentage("33%", 10**12),
        lambda: reconstruct.power_two_proportions(0.3, 0.5, 500),
        lambda: single_arm.trial_sized(single_arm.simulate_untreated(50), 10_000, 100_000),
    ]
    for call in calls:
        t0 = time.perf_counter()
        with pytest.raises(ValueError, match="is not allowed"):
            call()
        assert time.perf_counter() - t0 < 1.0
    assert not math.isnan(0.0)
