"""Sample size for a randomized ALS trial on the ALSFRS-R slope (appraisal.sample_size)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from appraisal import data
from appraisal import sample_size as S

# Cohen (1988), Table 2.4.1: n per group for a two-sided t-test, alpha = .05, power = .80.
# Cohen's table uses an approximation, so it may differ from the exact t solution by one patient.
COHEN_1988 = {0.2: 393, 0.5: 64, 0.8: 26}


@pytest.mark.parametrize("d, n_cohen", COHEN_1988.items())
def test_matches_cohen_table(d, n_cohen):
    r = S.patients_per_arm(mean_decline=1.0, sd_slope=1.0 / d, slowing=1.0, dropout=0.0, alpha=0.05, power=0.8)
    assert r.effect_size == pytest.approx(d, rel=1e-12)
    assert abs(r.completers_per_arm - n_cohen) <= 1


def test_statsmodels_reference_value():
    # statsmodels TTestIndPower for d = 0.5: 63.7656 per group (to 4 decimals)
    r = S.patients_per_arm(mean_decline=1.0, sd_slope=2.0, slowing=1.0, dropout=0.0)
    assert r.completers_exact == pytest.approx(63.7656, abs=1e-4)
    assert r.completers_per_arm == 64 and r.enrolled_per_arm == 64 and r.total == 128


def test_normal_method_is_the_closed_form():
    d, alpha, power = 0.3, 0.05, 0.9
    hand = 2 * (stats.norm.isf(alpha / 2) + stats.norm.ppf(power)) ** 2 / d**2
    r = S.patients_per_arm(mean_decline=0.9, sd_slope=0.9 / d, slowing=1.0, dropout=0.0, alpha=alpha, power=power,
                           method="normal")
    assert r.completers_exact == pytest.approx(hand, rel=1e-6)


def test_defaults_come_from_natural_history_table():
    r = S.patients_per_arm()
    assert r.mean_decline == data.value("natural_history", "proact_mean_decline") == 1.02
    assert r.sd_slope == data.value("natural_history", "proact_sd_decline") == 2.3
    assert r.difference == pytest.approx(0.25 * 1.02)
    assert r.effect_size == pytest.approx(0.25 * 1.02 / 2.3)


def test_dropout_inflates_enrolment():
    r0 = S.patients_per_arm(dropout=0.0)
    r = S.patients_per_arm(dropout=0.2)
    assert r.completers_per_arm == r0.completers_per_arm
    assert r.enrolled_per_arm == math.ceil(r0.completers_per_arm / 0.8)
    assert r.total == 2 * r.enrolled_per_arm


def test_monotone_in_each_input():
    base = dict(mean_decline=1.0, sd_slope=1.0, slowing=0.3, dropout=0.1, alpha=0.05, power=0.8)
    n = S.patients_per_arm(**base).total
    assert S.patients_per_arm(**{**base, "slowing": 0.5}).total < n
    assert S.patients_per_arm(**{**base, "sd_slope": 2.0}).total > n
    assert S.patients_per_arm(**{**base, "power": 0.9}).total > n
    assert S.patients_per_arm(**{**base, "alpha": 0.01}).total > n
    assert S.patients_per_arm(**{**base, "dropout": 0.3}).total > n
    assert S.patients_per_arm(**{**base, "mean_decline": 1.5}).total < n


def test_halving_sd_quarters_the_normal_sample_size():
    a = S.patients_per_arm(sd_slope=2.0, dropout=0.0, method="normal").completers_exact
    b = S.patients_per_arm(sd_slope=1.0, dropout=0.0, method="normal").completers_exact
    assert a / b == pytest.approx(4.0, rel=1e-9)


def test_power_at_the_answer_reaches_the_target():
    r = S.patients_per_arm(mean_decline=1.0, sd_slope=1.2, slowing=0.3, dropout=0.15, power=0.85)
    assert float(S.power_for_total(r.total, 1.0, 1.2, 0.3, 0.15)) >= 0.85
    # two fewer enrolled (one per arm) can fall short only if rounding was tight: completers below the exact solution
    below = (r.total - 2) / 2 * (1 - 0.15)
    if below < r.completers_exact:
        assert float(S.power_for_total(r.total - 2, 1.0, 1.2, 0.3, 0.15)) < 0.85


def test_power_limits():
    huge = S.power_for_total(1e6, mean_decline=1.0, sd_slope=2.0, slowing=0.25, dropout=0.0)
    assert float(huge) == pytest.approx(1.0, abs=1e-9)
    tiny_effect = S.power_for_total(100, mean_decline=1.0, sd_slope=2.0, slowing=1e-6, dropout=0.0, alpha=0.05)
    assert float(tiny_effect) == pytest.approx(0.05, abs=1e-4)


def test_power_keeps_shape():
    out = S.power_for_total(np.array([[20, 40], [80, 160]]))
    assert out.shape == (2, 2) and np.all(np.diff(out.ravel()) > 0)
    assert np.ndim(S.power_for_total(189)) == 0


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"dropout": 1.0}, r"dropout=1.0 is not allowed: dropout must be in \[0, 1\)"),
        ({"dropout": -0.1}, r"dropout=-0.1 is not allowed"),
        ({"power": 0.04, "alpha": 0.05}, r"power=0.04 is not allowed: power must be in \(0.05, 1\)"),
        ({"power": 1.0}, r"power=1.0 is not allowed"),
        ({"alpha": 0.0}, r"alpha=0.0 is not allowed"),
        ({"alpha": 0.6}, r"alpha=0.6 is not allowed"),
        ({"sd_slope": -1.0}, r"sd_slope=-1.0 is not allowed: sd_slope must be in \(0, 48\]"),
        ({"mean_decline": 0.0}, r"mean_decline=0.0 is not allowed"),
        ({"slowing": 0.0}, r"slowing=0.0 is not allowed: slowing must be in \(0, 1\]"),
        ({"slowing": 1.5}, r"slowing=1.5 is not allowed"),
        ({"slowing": float("nan")}, r"slowing=nan is not allowed"),
        ({"method": "z"}, r"method='z' is not allowed: method must be one of 't', 'normal'"),
    ],
)
def test_bad_inputs_are_refused(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        S.patients_per_arm(**kwargs)


@pytest.mark.parametrize("total", [2, [10, 3], float("nan"), []])
def test_bad_totals_are_refused(total):
    with pytest.raises(ValueError, match=r"total=.* is not allowed"):
        S.power_for_total(total)


def test_effect_size_checks_its_inputs():
    assert S.effect_size(1.0, 2.0, 0.5) == 0.25
    with pytest.raises(ValueError, match=r"sd_slope=0 is not allowed"):
        S.effect_size(1.0, 0, 0.5)


def test_power_never_nan_for_very_large_trials():
    # statsmodels' TTestIndPower.power gives NaN once power is within rounding of 1; the module falls back to
    # the normal approximation there, which agrees with the t-test to many decimals at such sizes.
    totals = np.geomspace(10, 20000, 160)
    p = S.power_for_total(totals, slowing=0.5)
    assert not np.isnan(p).any()
    assert np.all(np.diff(p) >= -1e-12) and p[-1] == pytest.approx(1.0, abs=1e-9)
    normal = S.power_for_total(totals, slowing=0.5, method="normal")
    assert np.max(np.abs(p - normal)[totals > 2000]) < 1e-4


def test_explorer_marks_the_studies_read_from_data():
    from appraisal import widgets as W
    from appraisal.widgets.sample_size import sample_size_explorer

    ex = sample_size_explorer()
    result = ex.compute(**W.defaults(ex))
    assert sorted(n for _, n in result.studies) == [15, 19, 67, 144, 189]
    on_trial = round(float(S.slope_sds().set_index("key").loc["centaur_active", "sd"]), 1)
    assert result.size == S.patients_per_arm(sd_slope=on_trial)  # starts at the observed on-trial SD, not 2.3
    assert not np.isnan(result.power_curve).any()
    with pytest.raises(ValueError, match=r"power=0.01 is not allowed: power must be in \(0.05, 1\)"):
        ex.compute(**{**W.defaults(ex), "power": 0.01})


def test_study_legend_names_every_study():
    from appraisal.widgets.sample_size import sample_size_explorer, study_legend

    text = study_legend(sample_size_explorer())
    for name, n in [("Alkhazaali", 15), ("Petrou", 19), ("Barczewska", 67), ("MESEMS", 144), ("Debamestrocel", 189)]:
        assert f"{name} {n}" in text


# ------------------------------------------------------------------ the SD of slopes, published and varied

def test_published_sds_resolve_to_one_number_each():
    t = S.slope_sds().set_index("key")
    assert t.loc["proact_pooled", "sd"] == data.value("natural_history", "proact_sd_decline") == 2.3
    assert t.loc["proact_pooled", "how"] == "read from natural_history"
    # CENTAUR Table 2: SE 0.12 (n = 87) and 0.16 (n = 48); SD = SE·√n = 1.119 and 1.109 (to 3 decimals)
    assert t.loc["centaur_active", "sd"] == pytest.approx(0.12 * math.sqrt(87), abs=1e-12)
    assert t.loc["centaur_active", "sd"] == pytest.approx(1.119, abs=5e-4)
    assert t.loc["centaur_placebo", "sd"] == pytest.approx(1.109, abs=5e-4)
    assert t.loc["vaneijk_all", "sd"] == 0.62 and t.loc["centaur_pre", "sd"] == 0.42
    assert set(t["how"]) == {"printed", "derived: SE × √n", "read from natural_history"}


def test_size_over_sd_pinned():
    """25% slowing of 1.02 points/month, 20% dropout, α 0.05, power 0.8 (statsmodels TTestIndPower).

    Pinned to the patient: SD 0.62 → 236 enrolled; SD 1.0 → 608; SD 2.3 → 3198.
    """
    t = S.size_over_sd([0.62, 1.0, 2.3]).set_index("sd")
    assert t.loc[0.62, "total"] == 236
    assert t.loc[1.0, "total"] == 608
    assert t.loc[2.3, "total"] == 3198
    assert t.loc[2.3, "total"] == S.patients_per_arm().total


def test_trial_population_sds_give_hundreds_not_thousands():
    t = S.slope_sds()
    sizes = S.size_over_sd(t["sd"]).assign(kind=t["kind"].to_numpy())
    trial_pop = sizes[sizes["kind"].isin(["true between-patient", "observed on-trial slope"])]
    assert trial_pop["total"].between(100, 999).all()
    assert sizes.loc[t["key"].to_numpy() == "proact_pooled", "total"].iloc[0] > 1000


def test_sd_for_total_inverts_the_size():
    sd = S.sd_for_total(664)
    assert sd == pytest.approx(1.047, abs=1e-3)  # PHOENIX's enrolment fits an SD of about 1.05 at these settings
    assert float(S.power_for_total(664, sd_slope=sd)) == pytest.approx(0.8, abs=1e-6)
    assert S.sd_for_total(108) < S.sd_for_total(137) < sd


def test_sd_helpers_refuse_bad_input(data_copy):
    with pytest.raises(ValueError, match=r"sds=.* is not allowed"):
        S.size_over_sd([0.0])
    with pytest.raises(ValueError, match=r"total=3(\.0)? is not allowed"):
        S.sd_for_total(3)
    with pytest.raises(ValueError, match=r"published is not allowed"):
        S.size_by_sd_figure(None)
    path = data_copy / "alsfrs_slope_sd.csv"
    path.write_text(path.read_text().replace(",0.62,,,,,vaneijk2019", ",0.62,0.1,,,,vaneijk2019"))
    with pytest.raises(ValueError, match=r"key='vaneijk_all' is not allowed: give exactly one of"):
        S.slope_sds()


def test_size_by_sd_figure_marks_every_published_sd():
    import matplotlib.pyplot as plt

    ax = S.size_by_sd_figure(S.slope_sds(), data.load_table("als_trial_sizes"))
    marked = sum(len(line.get_xdata()) for line in ax.lines if line.get_marker() not in ("None", "", None))
    assert marked == len(S.slope_sds())
    plt.close(ax.figure)
