"""The number audit of Barczewska et al. 2020 (appraisal.studies.barczewska2020) and the chapter's explorers."""

from __future__ import annotations

import pytest

from appraisal import data
from appraisal import widgets as W
from appraisal.audit import verdict_counts
from appraisal import recompute
from appraisal.studies.barczewska2020 import barczewska2020_audit, barczewska2020_checks, compact


@pytest.fixture(scope="module")
def table():
    return barczewska2020_audit().set_index("item")


def test_verdict_counts(table):
    assert verdict_counts(table.reset_index()) == {"consistent": 27, "inconsistent": 8, "not checkable": 2}


@pytest.mark.parametrize(
    "item",
    [
        "Table 1: onset spinal",
        "Table 1: stage less advanced (FT9 1-2)",
        "Table 1: stage more advanced (FT9 3-5)",
        "Table 1: onset percentages add up to 100",
        "Table 1: stage percentages add up to 100",
        "Every pair within ±0.5 point/month, given Table 1's ranges",
        "Table 3 slope vs printed estimate −0.33",
        "Power 40% vs 0%, 11 per group (Fisher's exact test)",
    ],
)
def test_inconsistencies_found(table, item):
    assert table.loc[item, "verdict"] == "inconsistent"


@pytest.mark.parametrize(
    "item",
    [
        "Age within ±5 years",
        "Age within ±10 years",
        "Progression rate within ±0.3",
        "Progression rate difference zero",
        "Response: decreased progression",
        "Response: no change",
        "Response: increased progression",
        "HR 0.30 (0.16–0.59): p",
        "Linear regression β −0.54 (SE 0.15): p",
        "Early response −0.33 (−0.58 to −0.1): p",
        "Table 3: all printed probabilities lie on one logistic curve",
        "Power 40% vs 0%, 11 per group (normal approximation)",
    ],
)
def test_consistent_items(table, item):
    assert table.loc[item, "verdict"] == "consistent"


def test_published_numbers_pinned(table):
    assert table.loc["Table 1: onset spinal", "recomputed"] == pytest.approx(76.1, abs=0.05)
    assert table.loc["Every pair within ±0.5 point/month, given Table 1's ranges", "recomputed"] == pytest.approx(2.0)
    assert table.loc["Power 40% vs 0%, 11 per group (Fisher's exact test)", "recomputed"] == pytest.approx(46.7, abs=0.1)


def test_hr_p_from_interval_at_printed_values():
    # Altman & Bland from the printed 0.30 (0.16–0.59): SE 0.333, p ≈ 0.0003 vs printed 0.0004
    t = recompute.test_from_ratio_ci(data.value("barczewska2020_results", "hr_death"),
                           data.value("barczewska2020_results", "hr_death_lower"),
                           data.value("barczewska2020_results", "hr_death_upper"))
    assert t.se == pytest.approx(0.3330, abs=5e-4)
    assert t.p == pytest.approx(0.000297, abs=5e-6)
    assert t.centre_ratio == pytest.approx(0.307, abs=1e-3)


def test_compact_view_shows_ranges(table):
    c = compact(table.reset_index()).set_index("item")
    assert list(c.columns) == ["where", "printed", "recomputed", "verdict"]
    assert c.loc["HR 0.30 (0.16–0.59): p", "recomputed"] == "0.0001563 to 0.0005394"
    assert c.loc["onset spinal", "recomputed"] == "76.12" and c.loc["onset spinal", "where"] == "Table 1"
    assert c.loc["PRO-ACT: number of studies", "recomputed"] == "—"
    with pytest.raises(ValueError, match=r"table=list is not allowed"):
        compact([])


def test_every_check_names_its_location():
    assert all(c.location for c in barczewska2020_checks())


# --- the chapter's explorers -------------------------------------------------------------

def _ex(name):
    return W.all_explorers()[f"appraisal.widgets.{name}"]()


def test_failure_curve_explorer_reproduces_table3():
    ex = _ex("failure_curve.failure_curve_explorer")
    for x, printed in [(0, "75.9"), (3, "53.4"), (-5, "94.4")]:
        row, _ = W.callback(ex, early_response=x)
        assert row["Table 3 (%)"] == printed
        assert abs(float(row["refitted (%)"]) - float(printed)) <= 0.1


def test_survival_explorer_no_window_hr_near_one():
    row, _ = W.callback(_ex("survival.survival_explorer"), window_months=0.0)
    assert 0.85 < float(row["hazard ratio (no effect)"]) < 1.15


def test_matched_pairs_explorer_no_noise():
    row, _ = W.callback(_ex("matched_pairs.matched_pairs_explorer"), noise_sd=0.0, slope_change_sd=0.0, slope_sd=0.0)
    assert float(row["no change % (no effect)"]) == 100.0
    assert row["failure slope per point (no effect)"] == "not estimable"


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("failure_curve.failure_curve_explorer", {"early_response": 60}, r"early_response=60 is not allowed"),
        ("failure_curve.failure_curve_explorer", {"interval": "wide"}, r"kind='wide' is not allowed"),
        ("survival.survival_explorer", {"median_days": -5.0}, r"median_days=-5.0 is not allowed"),
        ("matched_pairs.matched_pairs_explorer", {"noise_sd": -1.0}, r"noise_sd=-1.0 is not allowed"),
    ],
)
def test_explorers_refuse_bad_values(name, params, match):
    with pytest.raises(ValueError, match=match):
        W.callback(_ex(name), **params)


def test_audit_problems_groups_flags_and_checks_its_argument():
    import pandas as pd
    from appraisal.studies import barczewska2020 as RA

    p = RA.audit_problems(RA.barczewska2020_audit())
    assert list(p.columns) == ["problem", "kind", "checks", "n_checks"]
    assert set(p["kind"]) == {"problem", "rounding note"}
    for bad in (None, pd.DataFrame({"x": [1]}), pd.DataFrame(columns=["item", "verdict"])):
        with pytest.raises((ValueError, TypeError), match="table"):
            RA.audit_problems(bad)
