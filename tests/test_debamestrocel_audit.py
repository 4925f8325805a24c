"""Debamestrocel phase 3: counts rebuilt from printed percentages, odds ratios, subgroup splits, power.

Published numbers come from data/debamestrocel_results (Cudkowicz et al. 2022 and the
2020 press release); recomputations are unadjusted, so where the paper used a model the
tests pin our numbers and the size of the disagreement, not agreement.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from appraisal import audit, data
from appraisal.studies import debamestrocel as D
from appraisal import twobytwo as T


def test_required_quantities_exist_for_the_synthesis_chapter():
    t = data.reported("debamestrocel_results")
    for q in ["n_treated_total", "n_msc", "n_placebo", "responders_msc_pct", "responders_placebo_pct", "odds_ratio", "odds_ratio_p"]:
        assert q in t.index
    assert data.value("debamestrocel_results", "n_msc") + data.value("debamestrocel_results", "n_placebo") == data.value(
        "debamestrocel_results", "n_treated_total")


def test_counts_behind_printed_percentages():
    assert T.counts_for_percentage("33%", 95) == [31]
    assert T.counts_for_percentage("28%", 94) == [26]
    assert T.counts_for_percentage("34.7%", 95) == [33]
    assert T.counts_for_percentage("27.7%", 94) == [26]
    # a percentage no count can give (GRIM-type inconsistency)
    assert T.counts_for_percentage("50.5%", 10) == []
    # two counts fit a coarse percentage with a large denominator
    assert T.counts_for_percentage("10%", 200) == [19, 20, 21]


def test_whole_trial_recomputation():
    w = D.whole_trial()
    pub = w[w.source.str.startswith("publication")].iloc[0]
    assert (pub.k1, pub.n1, pub.k2, pub.n2) == (31, 95, 26, 94)
    # odds ratio by hand: (31·68)/(64·26)
    assert pub.odds_ratio == pytest.approx(31 * 68 / (64 * 26), rel=1e-12)
    # Woolf interval by hand
    se = math.sqrt(1 / 31 + 1 / 64 + 1 / 26 + 1 / 68)
    assert pub.lower == pytest.approx(math.exp(math.log(pub.odds_ratio) - 1.959964 * se), rel=1e-5)
    assert pub.upper == pytest.approx(math.exp(math.log(pub.odds_ratio) + 1.959964 * se), rel=1e-5)
    # published OR 1.33 is NOT the unadjusted OR of the published percentages (1.27): pinned disagreement
    assert data.value("debamestrocel_results", "odds_ratio") - pub.odds_ratio == pytest.approx(0.063, abs=0.001)
    # but the published p (.45) is within 0.01 of the unadjusted Wald p
    assert pub.p_wald == pytest.approx(data.value("debamestrocel_results", "odds_ratio_p"), abs=0.01)
    press = w[w.source.str.startswith("press")].iloc[0]
    assert (press.k1, press.k2) == (33, 26)
    assert press.p_wald == pytest.approx(0.295, abs=0.001)


def test_subgroup_splits():
    s = D.subgroup()
    pub = s[s.source.str.startswith("publication")]
    assert sorted(map(tuple, pub[["k1", "n1", "k2", "n2"]].astype(int).values.tolist())) == [(7, 20, 6, 38), (9, 26, 5, 32)]
    assert all(pub.n1 + pub.n2 == data.value("debamestrocel_results", "subgroup_n"))
    w, sub = D.press_tables()
    assert (sub.k1, sub.n1, sub.k2, sub.n2) == (9, 26, 5, 32)
    assert sub.odds_ratio == pytest.approx(9 * 27 / (17 * 5))
    assert sub.p_fisher == pytest.approx(stats.fisher_exact([[9, 17], [5, 27]])[1])
    # published subgroup p (.29) is far from the unadjusted tests (≈ 0.10–0.13)
    assert sub.p_fisher < data.value("debamestrocel_results", "subgroup_odds_ratio_p") - 0.1


def test_complement_and_interaction():
    rest = D.complement()
    assert (rest.k1, rest.n1, rest.k2, rest.n2) == (24, 69, 21, 62)
    _, sub = D.press_tables()
    inter = T.interaction_test(sub, rest)
    assert inter.ratio == pytest.approx(sub.odds_ratio / rest.odds_ratio)
    assert inter.p == pytest.approx(0.170, abs=0.002)
    assert inter.lower < 1 < inter.upper


def test_power_against_hand_formula():
    # normal approximation with Cohen's h: power ≈ Φ(|h|·sqrt(n1·n2/(n1+n2)) − z_0.975) (+ the far tail)
    h = 2 * math.asin(math.sqrt(0.35)) - 2 * math.asin(math.sqrt(0.15))
    m = abs(h) * math.sqrt(95 * 94 / (95 + 94))
    z = stats.norm.isf(0.025)
    hand = stats.norm.cdf(m - z) + stats.norm.cdf(-m - z)
    assert T.power_two_proportions(0.35, 0.15, 95, 94) == pytest.approx(hand, rel=1e-6)
    p = D.power_summary()
    assert p.loc[0, "power"] == pytest.approx(0.899, abs=0.002)
    assert p.loc[1, "power"] == pytest.approx(0.815, abs=0.005)  # design gain at the placebo rate seen
    assert p.loc[2, "power"] == pytest.approx(0.311, abs=0.005)  # 10 points at the placebo rate seen


def test_audit_verdicts():
    table = audit.audit(D.audit_checks())
    counts = audit.verdict_counts(table)
    assert counts == {"consistent": 5, "inconsistent": 7, "not checkable": 1}
    assert table.set_index("item").loc["publication 33% vs press release 34.7% (same arm)", "verdict"] == "inconsistent"
    assert all(D.whole_trial().source == ["publication (33% vs 28%)", "press release (34.7% vs 27.7%)"])


def test_implied_odds_ratio():
    assert T.implied_odds_ratio(35, 16) == pytest.approx((0.35 / 0.65) / (0.16 / 0.84))


def test_zero_cell_is_finite():
    r = T.odds_ratio_2x2(0, 10, 3, 10)
    assert math.isfinite(r.odds_ratio) and r.lower > 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: T.counts_for_percentage("abc", 10), r"printed='abc' is not allowed"),
        (lambda: T.counts_for_percentage(33, 10), r"printed=33 is not allowed"),
        (lambda: T.counts_for_percentage("120%", 10), r"printed='120%' is not allowed: printed must be a percentage from 0 to 100"),
        (lambda: T.counts_for_percentage("33%", 0), r"n=0 is not allowed"),
        (lambda: T.odds_ratio_2x2(11, 10, 3, 10), r"k1=11 is not allowed: k1 must be at most n1=10"),
        (lambda: T.odds_ratio_2x2(1, 10, -1, 10), r"k2=-1 is not allowed"),
        (lambda: T.odds_ratio_2x2(1, 10, 1, 10, level=1.5), r"level=1.5 is not allowed"),
        (lambda: T.implied_odds_ratio(0, 20), r"pct1=0 is not allowed"),
        (lambda: T.implied_odds_ratio(20, 100), r"pct2=100 is not allowed"),
        (lambda: T.two_arm_tables("33%", 0, "28%", 94), r"n1=0 is not allowed"),
        (lambda: T.consistent_splits(1, "33%", "28%"), r"n_total=1 is not allowed"),
        (lambda: T.consistent_splits(58, "35%", "16%", min_arm=40), r"min_arm=40 is not allowed"),
        (lambda: T.consistent_splits(58, "x", "16%"), r"printed1='x' is not allowed"),
        (lambda: T.interaction_test(1.2, 1.3), r"a=1.2 is not allowed"),
        (lambda: T.power_two_proportions(0, 0.2, 50, 50), r"p1=0 is not allowed"),
        (lambda: T.power_two_proportions(0.3, 0.2, 1, 50), r"n1=1 is not allowed"),
        (lambda: T.power_two_proportions(0.3, 0.2, 50, 50, alpha=0), r"alpha=0 is not allowed"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_compact_view():
    c = T.compact(D.whole_trial())
    assert c.loc[0, "responders (treated vs placebo)"] == "31/95 vs 26/94"
    assert c.loc[0, "odds ratio (95% CI)"] == "1.27 (0.68 to 2.36)"
    assert list(c.columns)[0] == "percentages from"
    with pytest.raises(ValueError, match=r"frame is not allowed"):
        T.compact(D.power_summary())
    with pytest.raises(ValueError, match=r"digits=-1 is not allowed"):
        T.compact(D.whole_trial(), digits=-1)


def test_forest_rows_and_bad_input():
    rows = D.forest_rows()
    assert (rows.kind == "published").sum() == 2
    assert rows.loc[0, "odds_ratio"] == data.value("debamestrocel_results", "odds_ratio")
    with pytest.raises(ValueError, match=r"rows is not allowed"):
        D.draw_forest(object(), None)
