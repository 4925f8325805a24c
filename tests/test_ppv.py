"""PPV of a 'significant' finding (Ioannidis 2005): published values, limits, identities, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal import data
from appraisal import ppv as P

TABLE4 = data.load_table("ioannidis2005_table4")


@pytest.mark.parametrize("row", TABLE4.to_dict("records"), ids=list(TABLE4["example"]))
def test_reproduces_ioannidis_table4(row):
    """Every row of Table 4 (alpha 0.05) to the printed precision (half a unit in the last place)."""
    prior = P.prior_from_odds(row["prior_odds"])
    got = P.ppv(prior, power=row["power"], alpha=0.05, bias=row["bias"])
    decimals = len(row["ppv_printed"].split(".")[1])
    assert got == pytest.approx(row["ppv"], abs=0.5 * 10 ** -decimals + 1e-12)


def test_hand_computed_values():
    # prior 0.5, power 0.8, alpha 0.05, no bias: 0.4 / (0.4 + 0.025) = 0.941176...
    assert P.ppv(0.5, 0.8, 0.05, 0.0) == pytest.approx(0.4 / 0.425, rel=1e-12)
    # prior 0.1, power 0.8, alpha 0.05, bias 0.2: real → 0.84, null → 0.24; 0.084 / (0.084 + 0.216)
    assert P.ppv(0.1, 0.8, 0.05, 0.2) == pytest.approx(0.084 / 0.300, rel=1e-12)
    # not significant, prior 0.5, power 0.8, alpha 0.05: 0.1 / (0.1 + 0.475)
    assert P.probability_true_if_not_significant(0.5, 0.8, 0.05) == pytest.approx(0.1 / 0.575, rel=1e-12)


def test_limits():
    assert P.ppv(0.0, 0.8, 0.05, 0.3) == 0.0  # nothing true to find
    assert P.ppv(1.0, 0.8, 0.05, 0.3) == 1.0  # everything tested is true
    # no bias, power 1, alpha → 0 gives 1
    assert P.ppv(0.01, power=1.0, alpha=1e-12, bias=0.0) == pytest.approx(1.0, abs=1e-8)
    # full bias: every analysis is reported significant, so a report says nothing: PPV = prior
    assert P.ppv(0.3, 0.8, 0.05, 1.0) == pytest.approx(0.3)
    # power 1 after a non-significant result: the relationship cannot be real
    assert P.probability_true_if_not_significant(0.4, power=1.0, alpha=0.05) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    prior=st.floats(0.0, 0.999),
    alpha=st.floats(0.001, 0.2),
    extra=st.floats(0.01, 1.0),
    bias=st.floats(0.0, 1.0),
)
def test_printed_formula_agrees_and_properties(prior, alpha, extra, bias):
    power = alpha + (1 - alpha) * extra
    value = P.ppv(prior, power, alpha, bias)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(P.ppv_ioannidis(P.odds_from_prior(prior), power, alpha, bias), rel=1e-9, abs=1e-12)
    # a significant result never lowers the probability (power > alpha) and bias never helps
    assert value >= prior - 1e-12
    assert value <= P.ppv(prior, power, alpha, 0.0) + 1e-12


def test_monotone_in_prior_and_power():
    priors = np.linspace(0, 1, 51)
    curve = P.ppv_curve(priors, 0.8, 0.05, 0.2)
    assert np.all(np.diff(curve) > 0)
    assert P.ppv(0.2, 0.9) > P.ppv(0.2, 0.3)
    assert curve[10] == pytest.approx(P.ppv(priors[10], 0.8, 0.05, 0.2))


def test_scenario_bundle():
    r = P.ppv_scenario(prior=0.1, power=0.8, alpha=0.05, bias=0.2)
    assert r.ppv == pytest.approx(0.28)
    assert r.ppv_no_bias == pytest.approx(0.08 / 0.125)
    assert len(r.priors) == len(r.curve) == len(r.curve_no_bias)


def test_table():
    t = P.ppv_table([0.1, 0.5], power=0.8, biases=(0.0, 0.2))
    assert list(t.columns) == ["prior", "PPV, bias 0", "PPV, bias 0.2"]
    assert t.iloc[1, 1] == pytest.approx(0.4 / 0.425)


def test_odds_conversions():
    assert P.prior_from_odds(1) == 0.5
    assert P.odds_from_prior(0.2) == pytest.approx(0.25)
    assert math.isclose(P.prior_from_odds(P.odds_from_prior(0.37)), 0.37)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(prior=-0.1), r"prior=-0.1 is not allowed: prior must be in \[0, 1\]"),
        (dict(prior=1.5), r"prior=1.5 is not allowed"),
        (dict(prior=float("nan")), r"prior=nan is not allowed"),
        (dict(prior=0.2, power=0.05, alpha=0.05), r"power=0.05 is not allowed: power must be in \(alpha, 1\]"),
        (dict(prior=0.2, power=0.03, alpha=0.05), r"power=0.03 is not allowed"),
        (dict(prior=0.2, power=1.2), r"power=1.2 is not allowed"),
        (dict(prior=0.2, alpha=0.0), r"alpha=0.0 is not allowed: alpha must be in \(0, 1\)"),
        (dict(prior=0.2, alpha=1.0), r"alpha=1.0 is not allowed"),
        (dict(prior=0.2, bias=-0.01), r"bias=-0.01 is not allowed: bias must be in \[0, 1\]"),
        (dict(prior=0.2, bias=1.01), r"bias=1.01 is not allowed"),
        (dict(prior="0.2"), r"prior='0.2' is not allowed"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.ppv(**kwargs)


def test_bad_input_other_functions():
    with pytest.raises(ValueError, match=r"odds=-1 is not allowed"):
        P.prior_from_odds(-1)
    with pytest.raises(ValueError, match=r"prior=1.0 is not allowed"):
        P.odds_from_prior(1.0)
    with pytest.raises(ValueError, match=r"odds=-2 is not allowed"):
        P.ppv_ioannidis(-2)
    with pytest.raises(ValueError, match=r"priors=.* is not allowed: priors must be numbers ≤ 1"):
        P.ppv_curve([0.1, 1.2])
    with pytest.raises(ValueError, match=r"priors=.* is not allowed"):
        P.ppv_curve([])
    with pytest.raises(ValueError, match=r"power=0.01 is not allowed"):
        P.probability_true_if_not_significant(0.3, power=0.01, alpha=0.05)
    with pytest.raises(ValueError, match=r"bias=2 is not allowed"):
        P.ppv_scenario(bias=2)
    with pytest.raises(ValueError, match=r"biases=\[\] is not allowed"):
        P.ppv_table([0.1], biases=())


# --- the claims ladder and the PPV applied to each source's headline (appraisal.studies.rationale) -----------------

from appraisal.studies import rationale as C  # noqa: E402


def test_claims_resolve_sizes_from_their_own_tables():
    cl = C.load_claims().set_index("claim_id")
    assert cl.loc["C3", "n"] == data.value("debamestrocel_results", "n_treated_total")
    assert cl.loc["C4", "n"] == data.value("barczewska2020_results", "n_treated")
    assert cl.loc["C5", "n"] == data.value("mesems2021_results", "randomized")
    assert pd_isna(cl.loc["C9", "n"]) and cl.loc["C9", "rung"] == 0
    assert set(cl["level"]) <= set(C.LADDER)


def pd_isna(x):
    import pandas as pd

    return bool(pd.isna(x))


def test_claims_refuse_n_given_twice(data_copy):
    path = data_copy / "rationale_claims.csv"
    text = path.read_text().replace(",,debamestrocel_results,n_treated_total,cudkowicz2022;fda2023",
                                    ",189,debamestrocel_results,n_treated_total,cudkowicz2022;fda2023")
    path.write_text(text)
    with pytest.raises(ValueError, match=r"claim_id='C3' is not allowed: give n or \(n_table, n_quantity\), not both"):
        C.load_claims()


def test_headlines_read_p_from_data():
    h = C.headline_results().set_index("source")
    assert h.loc["barczewska2020", "significant"] and h.loc["alkhazaali2024", "significant"]
    assert not h.loc["cudkowicz2022", "significant"] and not h.loc["uccelli2021", "significant"]
    assert h.loc["cudkowicz2022", "p as printed"] == data.printed("debamestrocel_results", "odds_ratio_p")


def test_apply_ppv_matches_the_formulas():
    t = C.apply_ppv([0.05, 0.5]).set_index("source")
    assert t.loc["barczewska2020", "prior 0.5"] == pytest.approx(P.ppv(0.5, 0.8, 0.05, 0.5))
    assert t.loc["cudkowicz2022", "prior 0.05"] == pytest.approx(P.probability_true_if_not_significant(0.05, 0.9, 0.05))
    # with prior 0 nothing can be real; with prior 1 every significant finding is
    t0 = C.apply_ppv([0.0, 1.0]).set_index("source")
    assert (t0["prior 0"] == 0).all()
    assert t0.loc["petrou2021", "prior 1"] == 1.0


def test_claims_bad_input():
    with pytest.raises(ValueError, match=r"priors=\[0.2, 1.5\] is not allowed"):
        C.apply_ppv([0.2, 1.5])
    with pytest.raises(ValueError, match=r"alpha=0 is not allowed"):
        C.headline_results(alpha=0)
    with pytest.raises(ValueError, match=r"headlines=.* is not allowed"):
        C.headline_results(["not a headline"])
    with pytest.raises(ValueError, match=r"claims is not allowed"):
        C.draw_ladder(object(), None)
