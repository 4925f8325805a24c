"""The debamestrocel (NurOwn) phase 3 in ALS: what its printed numbers allow us to recompute.

Reads ``data/debamestrocel_results`` (the publication, Cudkowicz et al. 2022, and the
company's 2020 topline press release) and uses :mod:`appraisal.twobytwo` to

* rebuild the responder counts behind the printed percentages (whole trial; the
  subgroup with baseline ALSFRS-R ≥ 35, whose arm sizes are not printed);
* recompute unadjusted odds ratios, intervals and p-values and set them beside the
  published ones (:func:`audit_checks`);
* test whether the subgroup differs from the rest of the trial (interaction), and
  compute the power the trial had for its design assumption and for the subgroup.

All functions are pure readers of ``data/``; nothing here is retyped from a paper.
"""

from __future__ import annotations

import pandas as pd

from .. import _checks as chk
from .. import data
from ..audit import Check
from ..twobytwo import (
    OddsRatio,
    consistent_splits,
    implied_odds_ratio,
    odds_ratio_2x2,
    power_two_proportions,
    two_arm_tables,
)

TABLE = "debamestrocel_results"

__all__ = ["TABLE", "whole_trial", "subgroup", "press_tables", "complement", "audit_checks", "power_summary", "forest_rows", "draw_forest",
           "threshold_analyses", "threshold_summary", "deaths"]


def _v(q: str):
    return data.value(TABLE, q)


def _p(q: str) -> str:
    return data.printed(TABLE, q)


def whole_trial() -> pd.DataFrame:
    """Responder tables consistent with the whole-trial percentages, publication and press release."""
    n1, n2 = _v("n_msc"), _v("n_placebo")
    a, b, c, d = (_p(q) for q in ("responders_msc_pct", "responders_placebo_pct", "press_responders_msc_pct", "press_responders_placebo_pct"))
    pub = two_arm_tables(a, n1, b, n2).assign(source=f"publication ({a} vs {b})")
    press = two_arm_tables(c, n1, d, n2).assign(source=f"press release ({c} vs {d})")
    return pd.concat([pub, press], ignore_index=True)


def subgroup() -> pd.DataFrame:
    """Every split of the subgroup (n printed, arms not) consistent with its percentages."""
    n = _v("subgroup_n")
    a, b, c, d = (_p(q) for q in ("subgroup_responders_msc_pct", "subgroup_responders_placebo_pct",
                                  "press_subgroup_responders_msc_pct", "press_subgroup_responders_placebo_pct"))
    pub = consistent_splits(n, a, b).assign(source=f"publication ({a} vs {b})")
    press = consistent_splits(n, c, d).assign(source=f"press release ({c} vs {d})")
    return pd.concat([pub, press], ignore_index=True)


def press_tables() -> tuple[OddsRatio, OddsRatio]:
    """The whole-trial and subgroup tables pinned down by the press release's one-decimal percentages.

    Raises ``ValueError`` if the printed figures do not pin a single table (they do:
    33/95 vs 26/94, and 9/26 vs 5/32).
    """
    w = two_arm_tables(_p("press_responders_msc_pct"), _v("n_msc"), _p("press_responders_placebo_pct"), _v("n_placebo"))
    s = consistent_splits(_v("subgroup_n"), _p("press_subgroup_responders_msc_pct"), _p("press_subgroup_responders_placebo_pct"))
    if len(w) != 1 or len(s) != 1:
        raise ValueError(f"press release figures fit {len(w)} whole-trial and {len(s)} subgroup tables; expected exactly one each.")
    a, b = w.iloc[0], s.iloc[0]
    return (odds_ratio_2x2(int(a.k1), int(a.n1), int(a.k2), int(a.n2)),
            odds_ratio_2x2(int(b.k1), int(b.n1), int(b.k2), int(b.n2)))


def complement() -> OddsRatio:
    """Patients outside the subgroup (baseline ALSFRS-R < 35): whole trial minus subgroup, press-release counts."""
    w, s = press_tables()
    return odds_ratio_2x2(w.k1 - s.k1, w.n1 - s.n1, w.k2 - s.k2, w.n2 - s.n2)


def audit_checks() -> list[Check]:
    """Published numbers beside their recomputation (unadjusted, from rebuilt counts)."""
    loc_pub = data.reported(TABLE).loc["odds_ratio", "location"]
    loc_press = data.reported(TABLE).loc["press_responders_p", "location"]
    n1, n2 = _v("n_msc"), _v("n_placebo")
    whole = whole_trial()
    pub = whole[whole.source.str.startswith("publication")].iloc[0]
    press_w, press_s = press_tables()
    sub = subgroup()
    sub_pub = sub[sub.source.str.startswith("publication")]
    rest = complement()
    return [
        Check("treated, both arms", _p("n_treated_total"), n1 + n2, f"{n1} + {n2}", loc_pub),
        Check("responders, debamestrocel (publication)", _p("responders_msc_pct"), pub.pct1, f"100 × {pub.k1}/{n1}", loc_pub,
              note="the only count of 95 that rounds to this percentage"),
        Check("responders, placebo (publication)", _p("responders_placebo_pct"), pub.pct2, f"100 × {pub.k2}/{n2}", loc_pub),
        Check("responders, debamestrocel (press release)", _p("press_responders_msc_pct"), press_w.pct1, f"100 × {press_w.k1}/{n1}", loc_press),
        Check(f"publication {_p('responders_msc_pct')} vs press release {_p('press_responders_msc_pct')} (same arm)",
              _p("responders_msc_pct"), press_w.pct1,
              "press-release percentage, rounded as the publication rounds", loc_pub,
              note=f"{press_w.k1 - pub.k1} responders apart: the two reports do not describe the same count"),
        Check("odds ratio, whole trial", _p("odds_ratio"), pub.odds_ratio, f"unadjusted, {pub.k1}/{n1} vs {pub.k2}/{n2}", loc_pub,
              note="the paper's estimate may come from a model with covariates; not reproducible from percentages alone"),
        Check("odds ratio, whole trial (press counts)", _p("odds_ratio"), press_w.odds_ratio, f"unadjusted, {press_w.k1}/{n1} vs {press_w.k2}/{n2}", loc_pub),
        Check("p, whole trial", _p("odds_ratio_p"), pub.p_wald, f"Wald test of the log odds ratio, {pub.k1}/{n1} vs {pub.k2}/{n2}", loc_pub),
        Check("p, whole trial (press release)", _p("press_responders_p"), press_w.p_wald, f"Wald test, {press_w.k1}/{n1} vs {press_w.k2}/{n2}", loc_press,
              note="the press release's p matches the publication's, not these counts"),
        Check(f"subgroup: splits of n = {_v('subgroup_n')} fitting {_p('subgroup_responders_msc_pct')} and "
              f"{_p('subgroup_responders_placebo_pct')}", None, None, f"{len(sub_pub)} splits fit", loc_pub,
              note="arm sizes are not printed; see the table of splits"),
        Check("subgroup percentages (press release vs publication)", _p("subgroup_responders_msc_pct"), press_s.pct1,
              f"100 × {press_s.k1}/{press_s.n1} (press release)", loc_press),
        Check("subgroup odds ratio", _p("subgroup_odds_ratio"), press_s.odds_ratio,
              f"unadjusted, {press_s.k1}/{press_s.n1} vs {press_s.k2}/{press_s.n2}", loc_pub,
              note="implied by 35% vs 16% alone: " + f"{implied_odds_ratio(_v('subgroup_responders_msc_pct'), _v('subgroup_responders_placebo_pct')):.2f}"),
        Check("subgroup p", _p("subgroup_odds_ratio_p"), press_s.p_fisher, f"Fisher's exact test, {press_s.k1}/{press_s.n1} vs {press_s.k2}/{press_s.n2}", loc_pub,
              note=f"Wald p {press_s.p_wald:.2f}; outside the subgroup the odds ratio is {rest.odds_ratio:.2f}"),
    ]


def power_summary(alpha: float = 0.05, important_difference: float = 0.10) -> pd.DataFrame:
    """Power of the trial's comparison for differences fixed in advance, never for the one observed.

    Rows: the design assumption (press release); the design's gain in responders added to the
    placebo rate actually seen; ``important_difference`` (10 percentage points, the important
    difference of the book's synthesis) added to that placebo rate; and the design's gain in the
    subgroup, at its own placebo rate and size. Power computed at the observed effect is a
    transform of the observed p and adds nothing :cite:`hoenig2001`, so no row uses it.
    """
    chk.probability("alpha", alpha)
    d = chk.positive("important_difference", important_difference)
    n1, n2 = _v("n_msc"), _v("n_placebo")
    _, s = press_tables()
    gain = (_v("press_assumed_msc_pct") - _v("press_assumed_placebo_pct")) / 100
    pbo, pbo_s = _v("responders_placebo_pct") / 100, _v("subgroup_responders_placebo_pct") / 100
    if not (pbo + d < 1):
        raise ValueError(f"important_difference={important_difference!r} is not allowed: the placebo rate "
                         f"{pbo:g} plus it must stay below 1.")
    rows = [
        ("design assumption (press release)", _v("press_assumed_msc_pct") / 100, _v("press_assumed_placebo_pct") / 100, n1, n2),
        ("design gain over the placebo rate seen", pbo + gain, pbo, n1, n2),
        ("important difference over the placebo rate seen", pbo + d, pbo, n1, n2),
        ("subgroup: design gain over its placebo rate", pbo_s + gain, pbo_s, s.n1, s.n2),
    ]
    return pd.DataFrame(
        [{"scenario": lab, "responders (treated vs placebo)": f"{100 * a:.0f}% vs {100 * b:.0f}%",
          "patients per arm": f"{int(m)} vs {int(k)}",
          "power": power_two_proportions(a, b, int(m), int(k), alpha)} for lab, a, b, m, k in rows]
    )


def forest_rows() -> pd.DataFrame:
    """Odds ratios to draw side by side: recomputed (with 95% Woolf intervals) and published (points only)."""
    w = whole_trial()
    pub, press = w.iloc[0], w.iloc[1]
    _, s = press_tables()
    rest = complement()
    rows = [
        ("whole trial, published (no interval printed)", _v("odds_ratio"), None, None, "published"),
        (f"whole trial, {pub.k1}/{pub.n1} vs {pub.k2}/{pub.n2} (publication %)", pub.odds_ratio, pub.lower, pub.upper, "recomputed"),
        (f"whole trial, {press.k1}/{press.n1} vs {press.k2}/{press.n2} (press-release %)", press.odds_ratio, press.lower, press.upper, "recomputed"),
        (f"subgroup ALSFRS-R ≥ {_v('subgroup_alsfrs_min')}, published", _v("subgroup_odds_ratio"), None, None, "published"),
        (f"subgroup, {s.k1}/{s.n1} vs {s.k2}/{s.n2}", s.odds_ratio, s.lower, s.upper, "recomputed"),
        (f"rest of the trial, {rest.k1}/{rest.n1} vs {rest.k2}/{rest.n2}", rest.odds_ratio, rest.lower, rest.upper, "recomputed"),
    ]
    return pd.DataFrame(rows, columns=["label", "odds_ratio", "lower", "upper", "kind"])


def draw_forest(rows: pd.DataFrame, ax) -> None:
    """Odds ratios on a log axis; recomputed ones with intervals, published ones as open diamonds."""
    if not {"label", "odds_ratio", "lower", "upper", "kind"} <= set(getattr(rows, "columns", [])):
        raise ValueError("rows is not allowed: rows must be the DataFrame returned by forest_rows().")
    chk.axes("ax", ax)
    y = list(range(len(rows)))[::-1]
    for yi, r in zip(y, rows.itertuples(index=False)):
        if r.kind == "published":
            ax.plot([r.odds_ratio], [yi], "D", mfc="white", mec="#d62728", ms=7)
        else:
            ax.hlines(yi, r.lower, r.upper, color="#1f77b4", lw=2)
            ax.plot([r.odds_ratio], [yi], "o", color="#1f77b4")
    ax.axvline(1.0, color="k", lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_xticks([0.5, 1, 2, 4, 8], ["0.5", "1", "2", "4", "8"])
    ax.set_yticks(y, list(rows["label"]), fontsize=8)
    ax.set_xlabel("odds ratio of responding, debamestrocel vs placebo (log scale)")
    ax.grid(axis="y", visible=False)


def threshold_analyses() -> pd.DataFrame:
    """The paper's Table 4: both endpoints at nine nested baseline cut-offs (``data/debamestrocel_table4``).

    One row per cut-off (baseline ALSFRS-R of at least 26 to at least 34), lowest first, with the
    number of patients in each analysis and the printed percentages and p-values. The subgroups are
    nested, so their tests are strongly correlated; the trial's progress report to its funder calls
    these floor-effect analyses post hoc, and the 2022 correction replaced the change analyses.
    """
    return data.load_table("debamestrocel_table4").sort_values("baseline_min").reset_index(drop=True)


def threshold_summary(alpha: float = 0.05) -> dict:
    """How many of Table 4's cut-offs give p below ``alpha``, and how many survive Holm over every subgroup.

    The family is the nine Table 4 cut-offs plus the prespecified subgroup (at least 35): ten
    looks at the primary endpoint of the same trial. Holm's procedure (statsmodels
    ``multipletests``) over those ten responder p-values is a simple yardstick, conservative for
    nested, correlated subgroups. Returns ``n_cutoffs``, ``n_family``, ``n_responder_below``,
    ``n_change_below``, ``min_p_responder``, ``holm_first`` (``alpha / n_family``, the line the
    smallest p must pass) and ``n_holm`` (responder p-values rejected by Holm).
    """
    from statsmodels.stats.multitest import multipletests

    alpha = chk.probability("alpha", alpha)
    t = threshold_analyses()
    ps = list(t["p_responder"]) + [float(_v("subgroup_odds_ratio_p"))]
    reject = multipletests(ps, alpha=alpha, method="holm")[0]
    return {"n_cutoffs": int(len(t)), "n_family": len(ps),
            "n_responder_below": int((t["p_responder"] < alpha).sum()),
            "n_change_below": int((t["p_change"] < alpha).sum()),
            "min_p_responder": float(t["p_responder"].min()), "holm_first": float(alpha / len(ps)),
            "n_holm": int(reject.sum())}


def deaths() -> OddsRatio:
    """Deaths per arm in the phase 3 as reported to the FDA's advisory committee, as a 2×2 comparison.

    The counts come from testimony citing the FDA's analysis (``deaths_msc``, ``deaths_placebo``);
    the denominators are not given there, so the treated arms of the publication's Table 1 are
    assumed (:func:`whole_trial`). Fisher's exact p is the one to read with so few deaths.
    """
    w = whole_trial().iloc[0]
    return odds_ratio_2x2(int(_v("deaths_msc")), int(w["n1"]), int(_v("deaths_placebo")), int(w["n2"]))
