"""Read across the book's studies: evidence map, risk of bias and certainty, built from ``data/``.

Tables hold the synthesis as data, so that a reader or an instructor can change
one entry and rebuild the chapter:

* ``evidence_map`` – one row per study: design, comparator, endpoint and follow-up in
  words, and for every *number* a reference to the ``(table, quantity)`` that holds it
  in the chapter's own data table. Text may contain ``{table:quantity}`` placeholders,
  replaced by the number as printed. Nothing numeric is typed twice.
* risk of bias – domain-level judgments of RoB 2 for randomized trials
  :cite:`sterne2019` and ROBINS-I for non-randomized studies :cite:`sterne2016`, each
  with a one-sentence reason, read from the answered signalling questions in the
  ``data/*_signalling`` tables through :func:`appraisal.structured.judgments` (so a
  judgment and the answers behind it live in one place).
* ``certainty`` – per clinical question, a starting level and the change for each
  GRADE domain :cite:`guyatt2008`; the final level is computed here by
  :func:`grade_level`, never stored.

The functions are pure: they read the tables (validated by :mod:`appraisal.data`),
recompute what is derived (a proportion's Wilson interval, an interval recovered from a
p-value by :func:`appraisal.recompute.ratio_ci_from_p`) and return DataFrames or
Matplotlib figures.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import _checks as chk
from . import data, recompute

__all__ = [
    "ROB2_DOMAINS",
    "ROBINS_I_DOMAINS",
    "JUDGMENTS",
    "SEVERITY",
    "GRADE_LEVELS",
    "DIRECTIONS",
    "certainty_statement",
    "fill_placeholders",
    "referenced_quantities",
    "study_results",
    "evidence_map",
    "study_sizes",
    "results_figure",
    "interval_widths",
    "overall_by_design",
    "p_range_from_printed_ci",
    "rounding_audit",
    "risk_of_bias",
    "unappraised_studies",
    "rob_matrix",
    "traffic_light",
    "grade_level",
    "ratio_bounds_for_difference",
    "imprecision_rating",
    "certainty_if",
    "certainty_table",
]

ROB2_DOMAINS = (
    "Randomization process",
    "Deviations from intended interventions",
    "Missing outcome data",
    "Measurement of the outcome",
    "Selection of the reported result",
    "Overall",
)
ROBINS_I_DOMAINS = (
    "Confounding",
    "Selection of participants",
    "Classification of interventions",
    "Deviations from intended interventions",
    "Missing data",
    "Measurement of outcomes",
    "Selection of the reported result",
    "Overall",
)
_DOMAINS = {"RoB 2": ROB2_DOMAINS, "ROBINS-I": ROBINS_I_DOMAINS}

#: judgments each tool allows, from least to most serious (plus "no information" for ROBINS-I)
JUDGMENTS = {
    "RoB 2": ("low", "some concerns", "high"),
    "ROBINS-I": ("low", "moderate", "serious", "critical", "no information"),
}
#: a common ordinal scale for drawing and comparing (None: no information)
SEVERITY = {"low": 0, "some concerns": 1, "moderate": 1, "high": 2, "serious": 2, "critical": 3, "no information": None}
_COLOURS = {0: "#4daf4a", 1: "#ffd92f", 2: "#e41a1c", 3: "#67000d", None: "#bdbdbd"}
_SYMBOLS = {"low": "+", "some concerns": "!", "moderate": "!", "high": "−", "serious": "−", "critical": "×",
            "no information": "?"}

GRADE_LEVELS = ("very low", "low", "moderate", "high")
#: which way a finding points; a certainty level is always a certainty *of* one of these
DIRECTIONS = ("benefit", "harm", "little or no effect", "change in a surrogate", "no evidence")
_START = {"high": 4, "low": 2}
_POINTS_TO = {"benefit": "a benefit", "harm": "a harm", "change in a surrogate": "a change in a surrogate"}
_GRADE_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")

_REF_COLUMNS = {
    "estimate_quantity": "estimate",
    "lower_quantity": "lower limit",
    "upper_quantity": "upper limit",
    "p_quantity": "p-value",
    "arm_treated_quantity": "treated arm",
    "arm_control_quantity": "control arm",
}
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*):([a-z][a-z0-9_]*)\}")
_TEXT_COLUMNS = ("design", "comparator", "endpoint", "follow_up")


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def fill_placeholders(text: str, directory: Path | str | None = None) -> str:
    """Replace each ``{table:quantity}`` in ``text`` by that number as printed in its source.

    >>> fill_placeholders("{mesems2021_results:randomized} patients")  # doctest: +SKIP
    '144 patients'
    """
    chk.text("text", text)
    chk.directory("directory", directory)
    return _PLACEHOLDER.sub(lambda m: data.printed(m.group(1), m.group(2), directory), text)


def _map(directory) -> pd.DataFrame:
    return data.load_table("evidence_map", directory)


def referenced_quantities(directory: Path | str | None = None) -> pd.DataFrame:
    """Every ``(table, quantity)`` the evidence map points to, with the study and the role it plays.

    Columns: ``study``, ``role`` (size, estimate, lower limit, …, or the text column of
    a placeholder), ``table``, ``quantity``. A test checks that each one exists, so a
    renamed quantity in a chapter's table is caught here.
    """
    rows = []
    for _, r in _map(directory).iterrows():
        rows.append({"study": r["study"], "role": "size", "table": r["n_table"], "quantity": r["n_quantity"]})
        for col, role in _REF_COLUMNS.items():
            if not _blank(r[col]):
                rows.append({"study": r["study"], "role": role, "table": r["estimate_table"], "quantity": r[col]})
        for col in _TEXT_COLUMNS:
            for table, quantity in _PLACEHOLDER.findall(r[col] or ""):
                rows.append({"study": r["study"], "role": f"text: {col}", "table": table, "quantity": quantity})
    return pd.DataFrame(rows, columns=["study", "role", "table", "quantity"])


def _num(table: str, quantity, directory) -> float | None:
    return None if _blank(quantity) else float(data.value(table, quantity, directory))


def study_results(directory: Path | str | None = None, level: float = 0.95) -> pd.DataFrame:
    """The numbers behind each study's headline result, read from the chapters' tables.

    One row per study with ``n``, ``effect_measure``, ``estimate``, ``lower``, ``upper``,
    ``p`` (None where not reported), ``p_printed``, ``interval`` (how the interval was
    obtained: ``"reported"``, ``"derived from p"`` via
    :func:`appraisal.recompute.ratio_ci_from_p` :cite:`altman2011ci`, ``"Wilson"`` for a
    responder proportion, or ``"none"``) and the arms' percentages where given.
    """
    level = chk.probability("level", level)
    rows = []
    for _, r in _map(directory).iterrows():
        t = r["estimate_table"]
        n = data.value(r["n_table"], r["n_quantity"], directory)
        est = _num(t, r["estimate_quantity"], directory)
        lo = _num(t, r["lower_quantity"], directory)
        hi = _num(t, r["upper_quantity"], directory)
        p = _num(t, r["p_quantity"], directory)
        p_printed = None if _blank(r["p_quantity"]) else data.printed(t, r["p_quantity"], directory)
        how = "none"
        if r["effect_measure"] == "responder proportion":
            k = int(est)
            est = k / int(n)
            lo, hi = recompute.proportion_ci(k, int(n), level=level, method="wilson")
            how = "Wilson"
        elif est is not None and lo is not None and hi is not None:
            how = "reported"
        elif est is not None and p is not None and r["effect_measure"] != "none":
            lo, hi = recompute.ratio_ci_from_p(est, p, level=level)
            how = "derived from p"
        rows.append({
            "study": r["study"], "label": r["label"], "disease": r["disease"], "randomized": bool(r["randomized"]),
            "n": int(n), "effect_measure": r["effect_measure"], "estimate": est, "lower": lo, "upper": hi,
            "p": p, "p_printed": p_printed, "interval": how,
            "treated_pct": _num(t, r["arm_treated_quantity"], directory),
            "control_pct": _num(t, r["arm_control_quantity"], directory),
        })
    return pd.DataFrame(rows)


def _p_text(p_printed: str | None) -> str:
    """'0.78' → 'p = 0.78', '.45' → 'p = 0.45', '<0.01' → 'p < 0.01'."""
    if p_printed is None:
        return ""
    s = p_printed.strip().replace(" ", "")
    sign = "="
    if s[0] in "<>≤≥":
        sign, s = s[0], s[1:]
    return f"p {sign} {'0' + s if s.startswith('.') else s}"


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _result_text(r: pd.Series, printed_ok: bool = True) -> str:
    m = r["effect_measure"]
    p = _p_text(r["p_printed"])
    if m == "responder proportion":
        return (f"{r['estimate']:.0%} responders (95% CI {r['lower']:.0%} to {r['upper']:.0%}, Wilson); "
                "no comparison group")
    if m == "none":
        return f"one biomarker changed ({p}); no effect size reported" if p else "no effect size reported"
    abbrev = {"hazard ratio": "HR", "rate ratio": "RR", "odds ratio": "OR"}[m]
    text = f"{abbrev} {_fmt(r['estimate'])}"
    if pd.notna(r["lower"]):
        derived = ", derived from p" if r["interval"] == "derived from p" else ""
        text += f" (95% CI {_fmt(r['lower'])} to {_fmt(r['upper'])}{derived})"
    if p:
        text += f", {p}"
    if pd.notna(r["treated_pct"]) and pd.notna(r["control_pct"]):
        text = f"{r['treated_pct']:g}% vs {r['control_pct']:g}% responders; " + text
    return text


def evidence_map(directory: Path | str | None = None) -> pd.DataFrame:
    """The evidence map as a display table: one row per study, every number read from ``data/``.

    Columns: Study, Disease, Design, n, Comparator, Endpoint, Result (estimate, 95% CI,
    p), Follow-up. Intervals recovered from a p-value are labelled as such.
    """
    m = _map(directory).set_index("study")
    res = study_results(directory).set_index("study")
    rows = []
    for study, r in m.iterrows():
        rr = res.loc[study]
        rows.append({
            "Study": r["label"],
            "Disease": r["disease"],
            "Design": fill_placeholders(r["design"], directory),
            "n": f"{rr['n']} {r['n_meaning']}",
            "Comparator": fill_placeholders(r["comparator"], directory),
            "Endpoint": fill_placeholders(r["endpoint"], directory),
            "Result": _result_text(rr),
            "Follow-up": fill_placeholders(r["follow_up"], directory),
        })
    return pd.DataFrame(rows)


def study_sizes(directory: Path | str | None = None) -> dict[str, int]:
    """Number of patients per study (label → n), read through the evidence map."""
    res = study_results(directory)
    return {r["label"]: int(r["n"]) for _, r in res.iterrows()}


def results_figure(results: pd.DataFrame, ax=None):
    """Ratio estimates with 95% intervals on a log axis, one line per study that has one.

    Hollow markers show intervals derived from a p-value rather than reported. The
    measures differ (hazard, rate and odds ratios, two diseases), so the figure places
    them side by side to compare precision and direction, not to pool them.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullFormatter, NullLocator

    if not isinstance(results, pd.DataFrame) or not {"effect_measure", "estimate", "lower", "upper"} <= set(results):
        raise ValueError("results is not allowed: results must be the DataFrame returned by study_results().")
    ratios = results[results["effect_measure"].str.endswith("ratio") & results["lower"].notna()].reset_index(drop=True)
    if ratios.empty:
        raise ValueError("results is not allowed: it holds no ratio estimate with an interval to draw.")
    chk.frame("results", ratios, numeric=["estimate", "lower", "upper"])
    if ax is not None:
        chk.axes("ax", ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 1.0 + 0.55 * len(ratios)), layout="constrained")
    for i, r in ratios.iterrows():
        colour = "#1f77b4" if r["randomized"] else "#d62728"
        face = "white" if r["interval"] == "derived from p" else colour
        ax.plot([r["lower"], r["upper"]], [i, i], color=colour, lw=2)
        ax.plot(r["estimate"], i, "s", ms=8, mec=colour, mfc=face)
    ax.axvline(1.0, color="k", lw=1, ls="--")
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ticks = [0.1, 0.2, 0.5, 1, 2, 5]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(0.1, 5)
    ax.set_yticks(range(len(ratios)),
                  [f"{r['label']}\n{r['effect_measure']}, n = {r['n']}" for _, r in ratios.iterrows()])
    ax.set_ylim(len(ratios) - 0.5, -0.5)
    ax.set_xlabel("ratio, MSCs vs comparator (log scale)\nbelow 1: fewer deaths or lesions; above 1: more responders")
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], color="#1f77b4", marker="s", label="randomized"),
               Line2D([], [], color="#d62728", marker="s", label="non-randomized"),
               Line2D([], [], color="#1f77b4", marker="s", mfc="white", label="interval derived from p")]
    ax.legend(handles=handles, fontsize=7.5, loc="upper right", frameon=False)
    return ax


def interval_widths(results: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """How wide each ratio interval is, measured where ratios are symmetric: on the log scale.

    For every ratio result with an interval, the standard error of the log ratio
    recovered from the limits by :func:`appraisal.recompute.se_from_ci` with
    ``log=True`` (SE = (ln upper − ln lower) / 2z; Altman & Bland 2011
    :cite:`altman2011p`), the fold-width ``upper / lower`` and the SE relative to the
    narrowest interval. A ratio interval always looks narrower on the natural scale when
    it lies near 0, because equal steps on the log scale shrink there; only the log scale
    compares precision. Sorted from narrowest to widest.
    """
    if not isinstance(results, pd.DataFrame) or not {"study", "effect_measure", "lower", "upper"} <= set(results):
        raise ValueError("results is not allowed: results must be the DataFrame returned by study_results().")
    level = chk.probability("level", level)
    r = results[results["effect_measure"].astype(str).str.endswith("ratio") & results["lower"].notna()].copy()
    if r.empty:
        raise ValueError("results is not allowed: it holds no ratio estimate with an interval.")
    chk.frame("results", r, numeric=["estimate", "lower", "upper"])
    for lo, hi in zip(r["lower"], r["upper"]):
        if not 0 < lo < hi:
            raise ValueError(f"results is not allowed: a ratio interval must have 0 < lower < upper "
                             f"(a row holds {lo!r} to {hi!r}).")
    r["se_log"] = [recompute.se_from_ci(lo, hi, level=level, log=True) for lo, hi in zip(r["lower"], r["upper"])]
    r["natural_width"] = r["upper"] - r["lower"]
    r["fold_width"] = r["upper"] / r["lower"]
    r["se_relative"] = r["se_log"] / r["se_log"].min()
    cols = ["study", "label", "randomized", "effect_measure", "estimate", "lower", "upper", "interval",
            "natural_width", "fold_width", "se_log", "se_relative"]
    return r[[c for c in cols if c in r]].sort_values("se_log").reset_index(drop=True)


def p_range_from_printed_ci(estimate: str, lower: str, upper: str, level: float = 0.95) -> tuple[float, float]:
    """The range of p-values a ratio and its interval allow, given that each was rounded when printed.

    Each printed number may lie anywhere within half a unit of its last decimal
    (:func:`appraisal.audit.rounding_tolerance`). The p-value recomputed from the interval
    (:func:`appraisal.recompute.test_from_ratio_ci`, normal approximation on the log scale,
    :cite:`altman2011p`) is monotone in each of the three numbers, so its extremes lie at
    the corners of that box; when the box for the estimate contains 1, the upper end is 1.
    """

    level = chk.probability("level", level)
    vals = {}
    for name, text in (("estimate", estimate), ("lower", lower), ("upper", upper)):
        v, t = chk.printed_number(name, text)
        if v - t <= 0:
            raise ValueError(f"{name}={text!r} is not allowed: a ratio as printed must stay above 0 after rounding.")
        vals[name] = (v - t, v + t)
    if not vals["lower"][1] < vals["upper"][0]:
        raise ValueError(f"lower={lower!r} is not allowed: lower must be clearly below upper={upper!r}.")
    ps = [recompute.test_from_ratio_ci(e, lo, hi, level).p
          for e in vals["estimate"] for lo in vals["lower"] for hi in vals["upper"]
          if lo < e < hi]
    if not ps:
        raise ValueError(f"estimate={estimate!r} is not allowed: it must lie inside the interval ({lower}, {upper}).")
    hi_p = 1.0 if vals["estimate"][0] <= 1.0 <= vals["estimate"][1] else max(ps)
    return float(min(ps)), float(hi_p)


def rounding_audit(pairs: list[tuple[str, str, str]], level: float = 0.95) -> pd.DataFrame:
    """For each ``(table, stem, label)``: is the printed p within what the rounded interval allows?

    Reads ``STEM``, ``STEM_lower``, ``STEM_upper`` and ``STEM_p`` as printed from the
    reported-layout table. The verdict is ``consistent`` when the printed p (give or take
    its own rounding) overlaps the range of :func:`p_range_from_printed_ci`.
    """
    from .audit import CONSISTENT, INCONSISTENT, rounding_tolerance

    if not isinstance(pairs, (list, tuple)) or not pairs:
        raise ValueError(f"pairs={pairs!r} is not allowed: pairs must be a non-empty list of (table, stem, label).")
    rows = []
    for item in pairs:
        if not (isinstance(item, (list, tuple)) and len(item) == 3):
            raise ValueError(f"pairs item {item!r} is not allowed: each must be (table, stem, label).")
        table, stem, label = item
        pr = {k: data.printed(table, stem + k) for k in ("", "_lower", "_upper", "_p")}
        lo, hi = p_range_from_printed_ci(pr[""], pr["_lower"], pr["_upper"], level)
        p_text = pr["_p"].strip()
        p_val = float(p_text.lstrip("<>=≤≥ "))
        tol = rounding_tolerance(p_text)
        p_lo, p_hi = (0.0, p_val) if p_text[0] in "<≤" else (p_val, 1.0) if p_text[0] in ">≥" else (p_val - tol, p_val + tol)
        verdict = CONSISTENT if p_lo <= hi and p_hi >= lo else INCONSISTENT
        rows.append({"result": label, "printed": f"{pr['']} ({pr['_lower']} to {pr['_upper']}), p = {p_text}",
                     "p allowed by the rounded interval": f"{lo:.2g} to {hi:.2g}", "verdict": verdict})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------- risk of bias

def risk_of_bias(directory: Path | str | None = None, names: list[str] | None = None) -> pd.DataFrame:
    """Domain-level risk-of-bias judgments, read from the structured signalling tables.

    The judgments come from :func:`appraisal.structured.judgments`: every
    ``data/*_signalling`` table (or the tables in ``names``) that holds rows, each
    checked there (one tool per study, every domain with its answered questions and one
    judgment, the overall judgment at least as serious as the worst domain). A table
    that is still empty is skipped, so the traffic light shows the studies appraised so
    far; :func:`unappraised_studies` lists the evidence-map studies still missing.

    Checked again here, each a :class:`ValueError` naming the study: one tool per study,
    a study in only one table, each of the tool's domains exactly once, judgments of that
    tool only, and an overall judgment at least as serious as the worst domain (the rule
    of both RoB 2 and ROBINS-I). Columns: ``study, tool, outcome, domain_order, domain,
    judgment, reason, n_questions``, sorted by tool, study and domain order.
    """
    from . import structured  # imported here: structured imports this module's constants

    if names is None:
        names = _filled_signalling(directory)
    elif not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names={names!r} is not allowed: names must be a list of signalling table names.")
    if not names:
        raise ValueError("names=[] is not allowed: no data/*_signalling table holds rows yet, so there is no "
                         "risk-of-bias judgment to read.")
    rob = structured.judgments(list(names), directory)
    dup = rob[rob.duplicated(["study", "domain"], keep=False)]
    if not dup.empty:
        raise ValueError(f"study={dup['study'].iloc[0]!r} is not allowed: its judgments appear in more than one "
                         "signalling table; keep each study in one table.")
    for study, g in rob.groupby("study", sort=False):
        tools = g["tool"].unique()
        if len(tools) != 1:
            raise ValueError(f"study={study!r} is not allowed: it mixes tools {list(tools)}; use one tool per study.")
        tool = tools[0]
        want = _DOMAINS[tool]
        have = list(g.sort_values("domain_order")["domain"])
        if sorted(have) != sorted(want) or len(have) != len(want):
            raise ValueError(f"study={study!r} is not allowed: {tool} needs the domains {list(want)}; it has {have}.")
        bad = sorted(set(g["judgment"]) - set(JUDGMENTS[tool]))
        if bad:
            raise ValueError(f"judgment={bad[0]!r} is not allowed for study={study!r}: {tool} judgments are "
                             f"{', '.join(JUDGMENTS[tool])}.")
        overall = g.loc[g["domain"] == "Overall", "judgment"].iloc[0]
        worst = max((SEVERITY[j] for j in g.loc[g["domain"] != "Overall", "judgment"] if SEVERITY[j] is not None),
                    default=0)
        if SEVERITY[overall] is None or SEVERITY[overall] < worst:
            raise ValueError(f"judgment={overall!r} is not allowed for the Overall domain of study={study!r}: "
                             f"the overall judgment must be at least as serious as the worst domain.")
    order = {d: i for i, d in enumerate(ROB2_DOMAINS)} | {d: i for i, d in enumerate(ROBINS_I_DOMAINS)}
    rob = rob.assign(_o=rob["domain"].map(order))
    return rob.sort_values(["tool", "study", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _filled_signalling(directory) -> list[str]:
    """Names of the ``*_signalling`` tables that hold rows.

    A table still at its header is recognised from the CSV itself, before the loader's
    gate (which refuses a table without rows) is asked to read it.
    """
    from . import structured

    folder = data._dir(directory)
    return [t for t in structured.signalling_tables(directory)
            if not pd.read_csv(folder / f"{t}.csv", nrows=1, dtype=str).empty]


def unappraised_studies(directory: Path | str | None = None) -> list[str]:
    """Evidence-map studies that no filled ``*_signalling`` table judges yet (empty list when all are appraised)."""
    judged = set(risk_of_bias(directory)["study"]) if _filled_signalling(directory) else set()
    return [s for s in _map(directory)["study"] if s not in judged]


def overall_by_design(rob: pd.DataFrame, directory: Path | str | None = None) -> dict[str, list[str]]:
    """The overall judgments of the randomized and of the non-randomized studies, most serious first.

    ``{"randomized": [...], "non-randomized": [...]}``, each a list of distinct
    judgments (e.g. ``["some concerns"]``), read from ``rob`` (:func:`risk_of_bias`)
    and the evidence map's ``randomized`` column, so a figure title can say what the
    traffic light shows without typing it.
    """
    if not isinstance(rob, pd.DataFrame) or not {"study", "domain", "judgment"} <= set(rob):
        raise ValueError("rob is not allowed: rob must be the DataFrame returned by risk_of_bias().")
    randomized = _map(directory).set_index("study")["randomized"].astype(bool)
    ov = rob[rob["domain"] == "Overall"].set_index("study")["judgment"]
    out = {}
    for name, flag in (("randomized", True), ("non-randomized", False)):
        js = {ov[s] for s in ov.index if s in randomized.index and randomized[s] == flag}
        out[name] = sorted(js, key=lambda j: -(SEVERITY[j] if SEVERITY[j] is not None else -1))
    return out


def rob_matrix(rob: pd.DataFrame, tool: str) -> pd.DataFrame:
    """Studies × domains of one tool, holding the judgments (rows in the table's order)."""
    chk.frame("rob", rob, ["study", "tool", "domain", "judgment"])
    chk.one_of("tool", tool, list(_DOMAINS))
    sub = rob[rob["tool"] == tool]
    if sub.empty:
        raise ValueError(f"tool={tool!r} is not allowed: no study in the table uses it.")
    studies = list(dict.fromkeys(sub["study"]))
    return sub.pivot(index="study", columns="domain", values="judgment").loc[studies, list(_DOMAINS[tool])]


def traffic_light(rob: pd.DataFrame, labels: dict[str, str] | None = None):
    """The traffic-light figure: one panel per tool, a coloured, symbol-marked dot per study and domain.

    Colours run from green (low) through yellow (some concerns / moderate) and red
    (high / serious) to dark red (critical); grey is "no information". Each dot also
    carries a symbol (+ ! − × ?) so the figure reads without colour. A judgment whose
    ``reason`` (when ``rob`` has that column) starts with "Provisional" is drawn with a
    dashed ring, and the legend says so: the label then shows its status, not only the
    caveat in the tables.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    chk.frame("rob", rob, ["study", "tool", "domain", "judgment"])
    if labels is not None:
        chk.instance("labels", labels, dict, "dict mapping study keys to labels")
    labels = labels or {}
    tools = [t for t in _DOMAINS if (rob["tool"] == t).any()]
    if not tools:
        raise ValueError("rob is not allowed: it holds no judgment of a known tool.")
    mats = {t: rob_matrix(rob, t) for t in tools}
    provisional = set()
    if "reason" in rob.columns:
        flag = rob["reason"].fillna("").astype(str).str.startswith("Provisional")
        provisional = set(zip(rob.loc[flag, "study"], rob.loc[flag, "domain"]))
    width = max(m.shape[1] for m in mats.values())
    heights = [len(m) + 1.6 for m in mats.values()]
    fig, axes = plt.subplots(len(tools), 1, figsize=(7.0, 0.5 * sum(heights) + 1.0),
                             gridspec_kw={"height_ratios": heights}, layout="constrained", squeeze=False)
    for ax, tool in zip(axes[:, 0], tools):
        mat = mats[tool]
        ncol = mat.shape[1]
        for i, study in enumerate(mat.index):
            for j, dom in enumerate(mat.columns):
                jdg = mat.loc[study, dom]
                sev = SEVERITY[jdg]
                ax.scatter(j, i, s=380, color=_COLOURS[sev], edgecolor="k", lw=1.6 if dom == "Overall" else 0.5,
                           zorder=3)
                if (study, dom) in provisional:
                    ax.scatter(j, i, s=900, facecolor="none", edgecolor="k", lw=1.2, linestyle=(0, (2, 2)), zorder=2)
                ax.text(j, i, _SYMBOLS[jdg], ha="center", va="center", fontsize=11, fontweight="bold",
                        color="white" if sev in (2, 3) else "black", zorder=4)
        ax.xaxis.tick_top()
        ax.set_xticks(range(ncol), [f"D{j + 1}" if d != "Overall" else "Overall" for j, d in enumerate(mat.columns)])
        ax.set_yticks(range(len(mat)), [labels.get(s, s) for s in mat.index])
        ax.set_xlim(-0.6, width - 0.4)
        ax.set_ylim(len(mat) - 0.4, -0.6)
        ax.grid(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
        key = "; ".join(f"D{j + 1} {d.lower()}" for j, d in enumerate(mat.columns) if d != "Overall")
        ax.set_title(f"{tool} ({'randomized trials' if tool == 'RoB 2' else 'non-randomized studies'})", loc="left",
                     fontsize=11)
        ax.set_xlabel(_wrap(key, 80), fontsize=8, loc="left")
    handles = [Line2D([], [], marker="o", ls="", ms=11, mfc=_COLOURS[s], mec="k", label=lab)
               for s, lab in [(0, "+ low"), (1, "! some concerns / moderate"), (2, "− high / serious"),
                              (3, "× critical"), (None, "? no information")]]
    if provisional:
        handles.append(Line2D([], [], marker="o", ls="", ms=15, mfc="none", mec="k", mew=1.0,
                              label="dashed ring: provisional (report partly read)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


# ---------------------------------------------------------------------------------------- certainty

def grade_level(start: str, changes, upgrade: int = 0) -> str:
    """Certainty of evidence after rating down and up, in the spirit of GRADE :cite:`guyatt2008`.

    ``start`` is ``"high"`` (randomized trials) or ``"low"`` (non-randomized studies);
    ``changes`` are the ratings for the five domains (each 0, -1 or -2); ``upgrade`` is
    0–2 (large effect, dose–response). Levels count high = 4 … very low = 1, and GRADE
    has no level below very low, so the result stops there. ``"no studies"`` gives
    ``"no evidence"``.
    """
    chk.one_of("start", start, ["high", "low", "no studies"])
    changes = chk.string_list("changes", changes, length=len(_GRADE_DOMAINS))  # one per GRADE domain
    for i, c in enumerate(changes):
        chk.integer(f"changes[{i}]", c, low=-2, high=0)
    upgrade = chk.integer("upgrade", upgrade, low=0, high=2)
    if start == "no studies":
        return "no evidence"
    score = _START[start] + sum(int(c) for c in changes) + upgrade
    return GRADE_LEVELS[min(max(score, 1), 4) - 1]


def ratio_bounds_for_difference(control_risk: float, difference: float) -> tuple[float, float]:
    """The odds ratios at which the treated risk is ``difference`` below and above ``control_risk``.

    ``(lower, upper)``: odds(p0 − d) / odds(p0) and odds(p0 + d) / odds(p0), with
    odds(p) = p / (1 − p). They translate an important difference on the risk scale (for
    example 10 percentage points of responders) into thresholds on the odds-ratio scale, which
    GRADE's imprecision rule compares with the interval :cite:`guyatt2008`.

    >>> [round(b, 3) for b in ratio_bounds_for_difference(26 / 94, 0.10)]
    [0.561, 1.58]
    """
    p0 = chk.probability("control_risk", control_risk)
    d = chk.positive("difference", difference)
    if not (0 < p0 - d and p0 + d < 1):
        raise ValueError(f"difference={difference!r} is not allowed with control_risk={control_risk!r}: "
                         "the control risk minus and plus the difference must both lie strictly between 0 and 1.")
    odds = lambda p: p / (1 - p)  # noqa: E731
    return odds(p0 - d) / odds(p0), odds(p0 + d) / odds(p0)


def imprecision_rating(lower: float, upper: float, *, n: float, ois: float, benefit: str,
                       control_risk: float | None = None, difference: float | None = None,
                       ratio_threshold: float | None = None) -> dict:
    """GRADE imprecision for one ratio interval, by the book's one rule, with every condition shown.

    The thresholds of an appreciable effect come either from an important ``difference`` in
    risk and the ``control_risk`` (odds ratios, :func:`ratio_bounds_for_difference`) or from a
    ``ratio_threshold`` below 1 and its reciprocal (e.g. 0.7 and 1/0.7 for a rate ratio).
    ``benefit`` says which side is a benefit: ``"above"`` 1 (more responders) or ``"below"``
    1 (fewer lesions, fewer deaths).

    Conditions (True/False): ``includes_benefit`` — the interval reaches an appreciable
    benefit; ``includes_harm`` — it reaches an appreciable harm; ``spans_both`` — both;
    ``below_ois`` — ``n`` is below the optimal information size ``ois`` (in the same units,
    per arm or in total). The rule (GRADE's imprecision domain :cite:`guyatt2008`, as the
    book applies it to every question with such an interval): rate down twice (−2) when
    the interval spans both an appreciable benefit and an appreciable harm *and* the study is
    below the optimal information size; once (−1) when only one of those two holds; not at
    all (0) when neither does.
    """
    lower, upper = chk.ordered_interval("lower", lower, "upper", upper)
    if lower <= 0:
        raise ValueError(f"lower={lower!r} is not allowed: a ratio interval must have 0 < lower < upper.")
    n, ois = chk.positive("n", n), chk.positive("ois", ois)
    chk.one_of("benefit", benefit, ["above", "below"])
    if (ratio_threshold is None) == (difference is None):
        raise ValueError("ratio_threshold and difference are not allowed together or both missing: give either an "
                         "important difference with its control_risk, or a ratio_threshold.")
    if difference is not None:
        if control_risk is None:
            raise ValueError("control_risk=None is not allowed with a difference: the odds-ratio thresholds need "
                             "the control group's risk.")
        low_bound, high_bound = ratio_bounds_for_difference(control_risk, difference)
    else:
        t = chk.in_range("ratio_threshold", ratio_threshold, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
        low_bound, high_bound = t, 1 / t
    benefit_bound, harm_bound = (high_bound, low_bound) if benefit == "above" else (low_bound, high_bound)
    reaches_high, reaches_low = upper >= high_bound, lower <= low_bound
    includes_benefit, includes_harm = (reaches_high, reaches_low) if benefit == "above" else (reaches_low, reaches_high)
    spans_both = bool(includes_benefit and includes_harm)
    below_ois = bool(n < ois)
    rating = -(int(spans_both) + int(below_ois))
    return {"lower": float(lower), "upper": float(upper), "benefit_bound": float(benefit_bound),
            "harm_bound": float(harm_bound), "includes_benefit": bool(includes_benefit),
            "includes_harm": bool(includes_harm), "spans_both": spans_both, "n": float(n), "ois": float(ois),
            "below_ois": below_ois, "rating": rating}


def _changes_text(changes, upgrade: int) -> str:
    """'indirectness −1; imprecision −1' (only the domains that moved), or 'none'."""
    parts = [f"{d.replace('_', ' ')} −{-c}" for d, c in zip(_GRADE_DOMAINS, changes) if c]
    if upgrade:
        parts.append(f"rated up +{upgrade}")
    return "; ".join(parts) or "none"


def certainty_statement(level: str, certainty_of: str) -> str:
    """'Low certainty that …' from a computed level and the finding it is about ('No evidence …' without studies).

    A certainty rating without its finding says nothing: GRADE rates the certainty *of*
    an estimate of effect :cite:`guyatt2008`. At *very low* certainty GRADE's informative
    statements give no direction ("the evidence is very uncertain about the effect"), so the
    statement reads "Very low certainty: the evidence is very uncertain …", and the
    ``certainty_of`` text of such a row says what the evidence is uncertain *about*, with the
    direction only as where the estimate points.
    """
    chk.one_of("level", level, [*GRADE_LEVELS, "no evidence"])
    if not isinstance(certainty_of, str) or not certainty_of.strip():
        raise ValueError(f"certainty_of={certainty_of!r} is not allowed: give the finding the level is about.")
    if level == "no evidence":
        return f"No evidence {certainty_of}"
    if level == "very low":  # GRADE's wording for very low certainty carries no direction
        return f"Very low certainty: the evidence is very uncertain {certainty_of}"
    return f"{level.capitalize()} certainty {certainty_of}"


def certainty_if(question_id: str, directory: Path | str | None = None, **domains: int) -> str:
    """The level a question's certainty would take with some domains re-judged, the others as stored.

    ``domains`` maps GRADE domains (``risk_of_bias``, ``inconsistency``, ``indirectness``,
    ``imprecision``, ``publication_bias``) to a new change (0, −1 or −2), e.g.
    ``certainty_if("ms_inflammation", inconsistency=0, imprecision=-2)``; the start and any rating
    up stay as stored in ``data/certainty``. Computed by :func:`grade_level`, so a sensitivity
    statement ("rated down for inconsistency too, the certainty would be …") is never typed.
    """
    cert = data.load_table("certainty", directory).set_index("question_id")
    if question_id not in cert.index:
        raise ValueError(f"question_id={question_id!r} is not allowed: choose one of {', '.join(cert.index)}.")
    unknown = sorted(set(domains) - set(_GRADE_DOMAINS))
    if unknown:
        raise ValueError(f"{unknown[0]}={domains[unknown[0]]!r} is not allowed: re-judge only the GRADE domains "
                         f"{', '.join(_GRADE_DOMAINS)}.")
    r = cert.loc[question_id]
    changes = [domains.get(d, int(r[d])) for d in _GRADE_DOMAINS]
    return grade_level(r["start"], changes, int(r["upgrade"] or 0))


def certainty_table(directory: Path | str | None = None) -> pd.DataFrame:
    """Per question: studies, start, each domain's change, the computed certainty and the finding.

    ``changes`` lists, in words, the domains rated down (and any rating up).
    ``direction``, ``certainty_of`` and ``statement`` say what the level is a certainty
    *of* (from ``data/certainty_direction``): "Low certainty that …".

    Also ``worst_overall_rob``: the most serious overall risk-of-bias judgment among the
    question's studies, read from the signalling tables (:func:`risk_of_bias`; "—"
    when none of them is appraised yet), so a reader can see whether the
    risk-of-bias rating agrees with the traffic light; ``without_critical``: the
    question's studies whose overall judgment is not "critical", the ones a synthesis
    would keep under ROBINS-I's guidance that a study at critical risk is too problematic to
    provide useful evidence :cite:`sterne2016`; and ``reads_as``: the direction as a reader
    should take it — for very low certainty "very uncertain (the estimate points to …)",
    otherwise the direction itself.
    """
    cert = data.load_table("certainty", directory)
    if _filled_signalling(directory):
        rob = risk_of_bias(directory)
        overall = rob[rob["domain"] == "Overall"].set_index("study")["judgment"]
    else:  # no study appraised yet: the column shows "—"
        overall = pd.Series(dtype=object)
    known = set(data.load_table("evidence_map", directory)["study"])
    direction = data.load_table("certainty_direction", directory).set_index("question_id")
    rows = []
    for _, r in cert.iterrows():
        studies = [] if _blank(r["studies"]) else [s.strip() for s in r["studies"].split(";")]
        unknown = [s for s in studies if s not in known]
        if unknown:
            raise ValueError(f"studies={r['studies']!r} is not allowed for question {r['question_id']!r}: "
                             f"{unknown} are not in the evidence map.")
        if (r["start"] == "no studies") != (not studies):
            raise ValueError(f"start={r['start']!r} is not allowed for question {r['question_id']!r}: "
                             "'no studies' goes with an empty study list and only with it.")
        if r["question_id"] not in direction.index:
            raise ValueError(f"question_id={r['question_id']!r} is not allowed: it has no row in certainty_direction, "
                             "so its certainty would not say what it is a certainty of.")
        dr = direction.loc[r["question_id"]]
        if (dr["direction"] == "no evidence") != (r["start"] == "no studies"):
            raise ValueError(f"direction={dr['direction']!r} is not allowed for question {r['question_id']!r}: "
                             "'no evidence' goes with start 'no studies' and only with it.")
        changes = [int(r[d]) for d in _GRADE_DOMAINS]
        level = grade_level(r["start"], changes, int(r["upgrade"]))
        judg = [overall.get(s) for s in studies if s in overall.index]
        worst = max(judg, key=lambda j: SEVERITY[j] if SEVERITY[j] is not None else -1) if judg else "—"
        # ROBINS-I: a study at critical risk is too problematic to give useful evidence and is normally left
        # out of a synthesis; these are the studies that would remain
        usable = [s for s in studies if overall.get(s) != "critical"]
        points = _POINTS_TO.get(dr["direction"], dr["direction"])
        reads_as = f"very uncertain (the estimate points to {points})" if level == "very low" else dr["direction"]
        rows.append({
            "question_id": r["question_id"], "question": r["question"], "studies": studies, "start": r["start"],
            **{d: c for d, c in zip(_GRADE_DOMAINS, changes)}, "upgrade": int(r["upgrade"]),
            "changes": _changes_text(changes, int(r["upgrade"])),
            "certainty": level, "direction": dr["direction"], "certainty_of": dr["certainty_of"],
            "statement": certainty_statement(level, dr["certainty_of"]), "reads_as": reads_as,
            "worst_overall_rob": worst, "without_critical": usable, "finding": r["finding"],
        })
    return pd.DataFrame(rows)

