"""Balance and tolerance tables (appraisal.matching) on Barczewska et al. 2020, Table 1."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from appraisal import data, matching as M
from appraisal.recompute import mean_sd_from_quantiles


@pytest.fixture(scope="module")
def t1():
    return data.load_table("barczewska2020_table1")


@pytest.fixture(scope="module")
def cont():
    return data.load_table("barczewska2020_table1_continuous")


def test_rebuilt_table_flags_the_three_misprinted_percentages(t1):
    r = M.rebuild_categorical(t1)
    bad = r.loc[~r["matches_rounding"] & (r["group"] == "treated"), "level"].tolist()
    assert bad == ["spinal", "less advanced (FT9 1-2)", "more advanced (FT9 3-5)"]
    spinal = r[(r["level"] == "spinal") & (r["group"] == "treated")].iloc[0]
    assert spinal["recomputed"] == pytest.approx(76.12, abs=0.01)  # printed 67.1: digits transposed?
    assert r["matches_rounding"].sum() == 14


def test_category_sums(t1):
    s = M.category_sums(t1).set_index(["characteristic", "group"])
    assert s.loc[("onset", "treated"), "printed_percent_sum"] == pytest.approx(91.0)
    assert s.loc[("stage", "treated"), "printed_percent_sum"] == pytest.approx(97.8)
    assert s["counts_complete"].all()
    assert not s.loc[("onset", "treated"), "percent_complete"]
    assert s.loc[("sex", "treated"), "percent_complete"]


def test_continuous_summary_uses_wan2014(cont):
    s = M.summarize_continuous(cont, {"treated": 67, "reference": 67}).set_index(["characteristic", "group"])
    mean, sd = mean_sd_from_quantiles(67, 57, 53, 63, 36, 78)
    assert s.loc[("age", "treated"), "mean_est"] == pytest.approx(mean)
    assert s.loc[("age", "treated"), "mean_est"] == pytest.approx((36 + 2 * 53 + 2 * 57 + 2 * 63 + 78) / 8)
    assert s.loc[("age", "treated"), "sd_est"] == pytest.approx(sd)


def test_balance_table(t1, cont):
    b = M.balance_table(t1, cont).set_index("characteristic")
    # categorical characteristics are identical by design
    assert (b.loc[b["kind"] == "proportion", "std_diff"] == 0).all()
    age = b.loc["age (mean, Wan 2014, all five)"]
    assert age["treated"] == pytest.approx(57.5, abs=0.01) and age["reference"] == pytest.approx(57.625, abs=0.01)
    assert -0.15 < age["std_diff"] < 0
    # the treated range reaches −4.2, the reference only −2.2: the five-number estimate flags imbalance
    assert b.loc["progression_rate (mean, Wan 2014, all five)", "std_diff"] == pytest.approx(-0.368, abs=1e-3)


def test_balance_depends_on_which_summaries_are_used(t1, cont):
    q = M.balance_table(t1, cont, use="quartiles").set_index("characteristic")
    assert q.loc["progression_rate (mean, Wan 2014, quartiles)", "std_diff"] == pytest.approx(-0.042, abs=1e-3)
    assert q.loc["age (mean, Wan 2014, quartiles)", "std_diff"] == pytest.approx(-0.152, abs=1e-3)
    r = M.summarize_continuous(cont, {"treated": 67, "reference": 67}, use="range").set_index(["characteristic", "group"])
    assert r.loc[("age", "treated"), "mean_est"] == pytest.approx((36 + 2 * 57 + 78) / 4)


def test_tolerance_table_intervals():
    t = M.tolerance_table([M.Tolerance("age ±5", 52, 67, "77.6"), M.Tolerance("all", 67, 67)])
    row = t.iloc[0]
    assert row["recomputed %"] == pytest.approx(77.61, abs=0.01)
    assert row["95% CI low %"] < 77.61 < row["95% CI high %"]
    assert t.iloc[1]["95% CI high %"] == pytest.approx(100.0)
    assert t.iloc[1]["printed %"] == "—"


def test_love_plot_draws_one_point_per_row(t1, cont):
    b = M.balance_table(t1, cont)
    fig, ax = plt.subplots()
    M.love_plot(b, ax)
    assert len(ax.get_yticks()) == len(b)
    plt.close(fig)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda t1, c: M.rebuild_categorical("table"), r"table='table' is not allowed: table must be a pandas DataFrame"),
        (lambda t1, c: M.rebuild_categorical(t1.drop(columns="count")), r"lacks the columns \['count'\]"),
        (lambda t1, c: M.rebuild_categorical(t1.iloc[0:0]), r"has no rows"),
        (lambda t1, c: M.category_sums(t1.drop(columns="level")), r"lacks the columns \['level'\]"),
        (lambda t1, c: M.summarize_continuous(c, {}), r"n=\{\} is not allowed"),
        (lambda t1, c: M.summarize_continuous(c, {"treated": 67}), r"no size for group 'reference'"),
        (lambda t1, c: M.summarize_continuous(c, {"treated": 1, "reference": 67}), r"n\['treated'\]=1 is not allowed"),
        (lambda t1, c: M.summarize_continuous(c[c["statistic"] != "q1"], {"treated": 67, "reference": 67}),
         r"lacks the statistics \['q1'\]"),
        (lambda t1, c: M.balance_table(t1, groups=("treated", "treated")), r"groups=.* is not allowed"),
        (lambda t1, c: M.balance_table(t1, c, use="mean"), r"use='mean' is not allowed"),
        (lambda t1, c: M.summarize_continuous(c, {"treated": 67, "reference": 67}, use="iqr"), r"use='iqr' is not allowed"),
        (lambda t1, c: M.balance_table(t1, groups=("treated", "placebo")), r"group 'placebo' is not in the table"),
        (lambda t1, c: M.tolerance_table([]), r"statements=\[\] is not allowed"),
        (lambda t1, c: M.tolerance_table([M.Tolerance("x", 70, 67)]), r"count=70 is not allowed"),
        (lambda t1, c: M.tolerance_table([M.Tolerance("x", 5, 67)], level=95), r"level=95 is not allowed"),
        (lambda t1, c: M.love_plot(pd.DataFrame({"characteristic": ["a"], "std_diff": [0.1]}), None, threshold=0),
         r"threshold=0 is not allowed"),
    ],
)
def test_bad_input_is_refused(t1, cont, call, match):
    with pytest.raises(ValueError, match=match):
        call(t1, cont)


# ----------------------------------------------------------------------------- leverage of one extreme patient

def test_extreme_value_leverage_known_answers():
    from appraisal.matching import QUANTILE_MEAN_WEIGHTS, extreme_value_leverage

    for w in QUANTILE_MEAN_WEIGHTS.values():
        assert sum(w.values()) == pytest.approx(1.0)
    r = extreme_value_leverage(67, 2.0)
    assert r["sample_mean_shift"] == pytest.approx(2 / 67)
    assert r["estimate_shift"] == pytest.approx(0.25)
    assert r["leverage"] == pytest.approx(67 / 8)
    assert np.isnan(extreme_value_leverage(67, 2.0, use="quartiles")["leverage"])
    with pytest.raises(ValueError, match="use"):
        extreme_value_leverage(67, 2.0, use="mean")


def test_replace_statistic_changes_one_cell_only():
    from appraisal.matching import replace_statistic

    c = data.load_table("barczewska2020_table1_continuous")
    c2 = replace_statistic(c, "progression_rate", "treated", "min", -2.2)
    diff = (c["value"].astype(float) != c2["value"]).sum()
    assert diff == 1
    with pytest.raises(ValueError, match="exactly one"):
        replace_statistic(c, "progression_rate", "treated", "mode", 0.0)
