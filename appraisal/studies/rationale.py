"""Claims, their best evidence, and how far each headline result should move a reader.

Two jobs for the rationale chapter:

* :func:`load_claims` reads ``data/rationale_claims`` and fills in the size of the
  largest relevant study, either from the table itself or from the source's own table
  in ``data/`` (so each number has one origin); :func:`draw_ladder` draws the claims
  on the evidence ladder.
* :func:`headline_results` collects the headline p-value of each source from its
  table in ``data/``, and :func:`apply_ppv` turns a reader's prior into the
  probability that the headline is real, using :mod:`appraisal.ppv`. The power and
  bias attached to each design in :data:`HEADLINES` are teaching assumptions, stated
  in the chapter, not numbers from the sources.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks as chk
from .. import data
from ..ppv import ppv, probability_true_if_not_significant

__all__ = ["approved_in", "LADDER", "RESULT_COLOURS", "load_claims", "draw_ladder", "Headline", "HEADLINES", "headline_results", "apply_ppv"]

LADDER = [
    "no study found",
    "hypothesis or laboratory data",
    "small uncontrolled human studies",
    "non-randomized comparison",
    "randomized trial",
]

RESULT_COLOURS = {
    "supports": "#2ca02c",
    "supports (critical risk of bias)": "#bcbd22",
    "short-term signal only": "#ff7f0e",
    "unclear": "#7f7f7f",
    "does not support": "#d62728",
    "not tested": "#ffffff",
}


def load_claims(name: str = "rationale_claims") -> pd.DataFrame:
    """The claims table with ``n`` resolved and ``rung`` (0 = no study … 4 = randomized trial).

    A claim whose size is held elsewhere names ``n_table`` and ``n_quantity``; the
    number is read with :func:`appraisal.data.value`. A claim may give ``n`` itself or
    point elsewhere, not both.

    A number from a source quoted in ``best_evidence`` is written as a placeholder
    ``{table.quantity}`` and replaced by that quantity exactly as printed in the source
    (:func:`appraisal.data.printed`), so the number is not retyped.
    """
    t = data.load_table(name)
    t = t.assign(best_evidence=[_fill_numbers(str(e)) for e in t["best_evidence"]])
    sizes = []
    for row in t.itertuples(index=False):
        has_n = not pd.isna(row.n)
        has_ref = row.n_table is not None or row.n_quantity is not None
        if has_n and has_ref:
            raise ValueError(f"claim_id={row.claim_id!r} is not allowed: give n or (n_table, n_quantity), not both.")
        if has_ref:
            if row.n_table is None or row.n_quantity is None:
                raise ValueError(f"claim_id={row.claim_id!r} is not allowed: n_table and n_quantity go together.")
            sizes.append(int(data.value(row.n_table, row.n_quantity)))
        else:
            sizes.append(int(row.n) if has_n else None)
    out = t.assign(n=pd.array(sizes, dtype="Int64"), rung=[LADDER.index(v) for v in t["level"]])
    return out.drop(columns=["n_table", "n_quantity"])


_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}")


def _fill_numbers(text: str) -> str:
    """Replace each ``{table.quantity}`` in ``text`` by the number as printed in ``data/<table>.csv``."""
    return _PLACEHOLDER.sub(lambda m: data.printed(m.group(1), m.group(2)), text)


_LADDER_TICKS = ["no study\nfound", "hypothesis\nor lab data", "small\nuncontrolled\nstudies",
                 "non-\nrandomized\ncomparison", "randomized\ntrial"]


def _wrap(text: str, width: int = 40) -> str:
    lines = textwrap.wrap(text, width)
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def draw_ladder(claims: pd.DataFrame, ax) -> None:
    """Each claim as a marker on the evidence ladder, coloured by what the evidence showed."""
    need = {"claim_id", "claim", "rung", "result", "n"}
    if not need <= set(getattr(claims, "columns", [])):
        raise ValueError(f"claims is not allowed: it must be the DataFrame from load_claims() (columns {sorted(need)}).")
    chk.frame("claims", claims, sorted(need))
    chk.axes("ax", ax)
    y = np.arange(len(claims))[::-1]
    for yi, row in zip(y, claims.itertuples(index=False)):
        ax.plot([0, row.rung], [yi, yi], color="#cccccc", lw=1, zorder=1)
        ax.scatter([row.rung], [yi], s=90, color=RESULT_COLOURS[row.result], edgecolor="k", zorder=3)
        if not pd.isna(row.n):
            ax.annotate(f"n={int(row.n)}", (row.rung, yi), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(f"{r.claim_id}. {r.claim}") for r in claims.itertuples()], fontsize=8)
    ax.set_xticks(range(len(LADDER)))
    ax.set_xticklabels(_LADDER_TICKS, fontsize=8)
    ax.set_xlim(-0.3, len(LADDER) - 0.2)
    ax.set_xlabel("strongest evidence found (rung of the ladder)")
    handles = [ax.scatter([], [], s=60, color=c, edgecolor="k", label=lab) for lab, c in RESULT_COLOURS.items()]
    ax.legend(handles=handles, fontsize=8, loc="lower right", title="what it showed", title_fontsize=8)
    ax.grid(axis="y", visible=False)


@dataclass(frozen=True)
class Headline:
    """A source's headline result and the teaching assumptions used to weigh it."""

    source: str  # bibliography key
    label: str
    table: str
    p_quantity: str
    power: float
    bias: float
    why: str


HEADLINES = [
    Headline("barczewska2020", "Wharton's-jelly MSCs vs PRO-ACT references: survival hazard ratio", "barczewska2020_results",
             "hr_death_p", 0.8, 0.5, "external controls chosen after the fact: selection and immortal-time bias possible"),
    Headline("petrou2021", "Repeated intrathecal MSCs: slower progression, whole period", "petrou2021_results",
             "p_whole_period", 0.5, 0.5, "single arm, responder definition and comparison with the patient's own past"),
    Headline("alkhazaali2024", "Bone-marrow MSCs: CSF TNF-α, the one biomarker of many that changed", "alkhazaali2024_results",
             "p_tnf_alpha_csf", 0.2, 0.6, "retrospective, 15 patients, many biomarkers tested (multiplicity)"),
    Headline("uccelli2021", "MESEMS (MS): gadolinium-enhancing lesions, MSC vs placebo", "mesems2021_results",
             "rate_ratio_p", 0.5, 0.0, "randomized, double-blind; small phase 2, so power assumed modest"),
    Headline("cudkowicz2022", "Debamestrocel phase 3 (ALS): responders, debamestrocel vs placebo", "debamestrocel_results",
             "odds_ratio_p", 0.9, 0.0, "randomized, double-blind; high power for the effect it was designed to detect"),
]


def headline_results(headlines: list[Headline] | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Each source's headline p (as printed, where it is printed, as a number) and whether it is below ``alpha``."""
    alpha = chk.probability("alpha", alpha)
    headlines = HEADLINES if headlines is None else chk.string_list("headlines", headlines, min_len=1)
    rows = []
    for h in headlines:
        if not isinstance(h, Headline):
            raise ValueError(f"headlines={headlines!r} is not allowed: give a list of appraisal.studies.rationale.Headline.")
        printed = data.printed(h.table, h.p_quantity)
        p = float(data.value(h.table, h.p_quantity))
        significant = p < alpha or (printed.strip().startswith("<") and p <= alpha)
        where = str(data.reported(h.table).loc[h.p_quantity, "location"])
        rows.append({"source": h.source, "headline": h.label, "p as printed": printed, "p printed at": where,
                     "significant": bool(significant),
                     "assumed power": h.power, "assumed bias u": h.bias, "why these assumptions": h.why})
    return pd.DataFrame(rows)


def apply_ppv(priors, headlines: list[Headline] | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Probability that each headline reflects a real effect, for each prior.

    A significant headline gets :func:`appraisal.ppv.ppv` with its assumed power and bias;
    a non-significant one gets :func:`appraisal.ppv.probability_true_if_not_significant`.
    """
    priors = list(chk.array("priors", priors, low=0.0, high=1.0).ravel())
    if not priors:
        raise ValueError("priors=[] is not allowed: give at least one prior in [0, 1].")
    base = headline_results(headlines, alpha)
    for p in priors:
        base[f"prior {p:g}"] = [
            ppv(p, r["assumed power"], alpha, r["assumed bias u"]) if r["significant"]
            else probability_true_if_not_significant(p, r["assumed power"], alpha)
            for r in base.to_dict("records")
        ]
    return base


def approved_in(jurisdiction: str = "United States", disease: str = "ALS", name: str = "als_approvals") -> list[str]:
    """Treatments with a standing approval for ``disease`` in ``jurisdiction``, read from ``data/als_approvals``.

    A treatment counts when it has an ``approved``, ``accelerated approval`` or
    ``conditional approval`` row for exactly that population and no later
    ``withdrawn from the market`` or ``approval withdrawn`` row; formulations of one drug
    count once. This is how the chapter sets the sources' "two approved drugs" against the
    status as of the table's date.
    """
    jurisdiction = chk.text("jurisdiction", jurisdiction, empty=False)
    disease = chk.text("disease", disease, empty=False)
    name = chk.text("name", name, empty=False)
    t = data.load_table(name)
    if jurisdiction not in set(t["jurisdiction"]):
        raise ValueError(f"jurisdiction={jurisdiction!r} is not allowed: the table holds {sorted(set(t['jurisdiction']))}.")
    t = t[(t["jurisdiction"] == jurisdiction)]
    granted = t[t["event"].isin(["approved", "accelerated approval", "conditional approval"])
                & t["population"].str.startswith(disease)]
    withdrawn = set(t.loc[t["event"].isin(["withdrawn from the market", "approval withdrawn"]), "treatment"])
    return list(dict.fromkeys(tr for tr in granted["treatment"] if tr not in withdrawn))
