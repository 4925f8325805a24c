"""Structured appraisal stored as data: signalling questions, internal contradictions, safety statements.

Three kinds of table per source in ``data/`` (``PREFIX`` is the source's table prefix,
e.g. ``petrou2021``):

* ``PREFIX_signalling`` – the RoB 2 :cite:`sterne2019` (randomized) or ROBINS-I
  :cite:`sterne2016` (non-randomized) signalling questions answered from the source's
  text. One row per question (``item`` such as ``"1.1"``; ``answer`` one of
  :data:`ANSWERS`), with the sentence of the source that answers it (``support``: a
  paraphrase, or a short quotation in quotation marks) and where it stands
  (``location``); and one row per domain with ``item = "judgment"``, the domain's
  judgment in ``answer`` and its reason in ``support``. The overall judgment is a
  ``judgment`` row of the domain ``Overall``. :func:`judgments` turns every such table
  into the domain-level layout that :func:`appraisal.evidence.traffic_light` draws.
* ``PREFIX_contradictions`` – every place where the source disagrees with itself
  (abstract vs methods vs results vs discussion): ``topic``, ``statement_a``,
  ``location_a``, ``statement_b``, ``location_b``, ``consequence``.
* ``PREFIX_safety`` – every safety statement with the count behind it: ``statement``,
  ``location``, ``events`` and ``n`` (people observed), ``follow_up``. :func:`safety`
  adds the exact (Clopper–Pearson) upper confidence bound on the risk that the count
  allows, so "no serious adverse event in 19 patients" is read as "a risk of up to about
  15% is still compatible".
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import _checks as chk
from . import data
from .evidence import JUDGMENTS, ROB2_DOMAINS, ROBINS_I_DOMAINS, SEVERITY
from .recompute import zero_event_upper

__all__ = ["ANSWERS", "rob2_missing_data", "signalling", "questions", "judgments", "signalling_tables", "contradictions", "safety"]

#: answers to a signalling question (RoB 2 and ROBINS-I): yes, probably yes, probably no, no,
#: no information, not applicable
ANSWERS = ("Y", "PY", "PN", "N", "NI", "NA")
_DOMAINS = {"RoB 2": ROB2_DOMAINS, "ROBINS-I": ROBINS_I_DOMAINS}


def _table_name(name: str, kind: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name={name!r} is not allowed: give a table name such as 'petrou2021_{kind}'.")
    return name if name.endswith(f"_{kind}") else f"{name}_{kind}"


def signalling_tables(directory=None) -> list[str]:
    """Names of every ``*_signalling`` table in ``data/``."""
    return [t for t in data.list_tables(directory) if t.endswith("_signalling")]


def signalling(name: str, directory=None) -> pd.DataFrame:
    """Load and check one source's signalling table (``name`` with or without the ``_signalling`` suffix).

    Checks, each a :class:`ValueError` naming the table, study and domain: one tool per
    study; every domain of that tool present, each (but ``Overall``) with at least one
    answered question and exactly one ``judgment`` row; answers among :data:`ANSWERS`;
    judgments among that tool's; the overall judgment at least as serious as the worst
    domain.
    """
    name = _table_name(name, "signalling")
    t = data.load_table(name, directory)
    if t.empty:
        raise ValueError(f"{name}: the table has no rows; it needs the signalling questions of its study.")
    for study, g in t.groupby("study", sort=False):
        tools = list(g["tool"].unique())
        if len(tools) != 1 or tools[0] not in _DOMAINS:
            raise ValueError(f"{name}: study={study!r} has tool {tools}; use exactly one of {list(_DOMAINS)}.")
        tool = tools[0]
        for domain in _DOMAINS[tool]:
            d = g[g["domain"] == domain]
            j = d[d["item"] == "judgment"]
            if len(j) != 1:
                raise ValueError(f"{name}: study={study!r}, domain={domain!r} has {len(j)} judgment rows; it needs one.")
            if j["answer"].iloc[0] not in JUDGMENTS[tool]:
                raise ValueError(f"{name}: study={study!r}, domain={domain!r}: judgment={j['answer'].iloc[0]!r} is "
                                 f"not allowed; {tool} judgments are {', '.join(JUDGMENTS[tool])}.")
            q = d[d["item"] != "judgment"]
            if domain != "Overall" and q.empty:
                raise ValueError(f"{name}: study={study!r}, domain={domain!r} has no signalling question answered.")
            bad = sorted(set(q["answer"]) - set(ANSWERS))
            if bad:
                raise ValueError(f"{name}: study={study!r}, domain={domain!r}: answer={bad[0]!r} is not allowed; "
                                 f"answers are {', '.join(ANSWERS)}.")
        extra = sorted(set(g["domain"]) - set(_DOMAINS[tool]))
        if extra:
            raise ValueError(f"{name}: study={study!r}: domain={extra[0]!r} is not a {tool} domain.")
        jr = g[g["item"] == "judgment"]
        worst = max((SEVERITY[a] for a in jr.loc[jr["domain"] != "Overall", "answer"] if SEVERITY[a] is not None),
                    default=0)
        overall = jr.loc[jr["domain"] == "Overall", "answer"].iloc[0]
        if SEVERITY[overall] is None or SEVERITY[overall] < worst:
            raise ValueError(f"{name}: study={study!r}: overall judgment={overall!r} is not allowed; it must be at "
                             f"least as serious as the worst domain.")
    return t


def rob2_missing_data(a31: str, a32: str, a33: str, a34: str) -> str:
    """The RoB 2 algorithm's proposed judgment for domain 3, missing outcome data :cite:`sterne2019`.

    3.1 Y/PY (data for nearly all) → low. Otherwise 3.2 Y/PY (evidence the result is not
    biased) → low. Otherwise 3.3 N/PN (missingness could not depend on the true value) →
    low. Otherwise 3.4 N/PN → some concerns; 3.4 Y/PY/NI → high. Allowed answers follow
    the RoB 2 tool: 3.1 Y/PY/PN/N/NI; 3.2 Y/PY/PN/N/NA (no NI); 3.3 and 3.4 Y/PY/PN/N/NI/NA.
    A reviewer may override the proposed judgment, but must say so and why.
    """
    chk.one_of("a31", a31, ["Y", "PY", "PN", "N", "NI"])
    chk.one_of("a32", a32, ["Y", "PY", "PN", "N", "NA"])
    chk.one_of("a33", a33, ["Y", "PY", "PN", "N", "NI", "NA"])
    chk.one_of("a34", a34, ["Y", "PY", "PN", "N", "NI", "NA"])
    if a31 in ("Y", "PY") or a32 in ("Y", "PY") or a33 in ("N", "PN"):
        return "low"
    return "some concerns" if a34 in ("N", "PN") else "high"


def questions(name: str, directory=None) -> pd.DataFrame:
    """The answered signalling questions of one table (judgment rows left out), in the tool's domain order."""
    t = signalling(name, directory)
    q = t[t["item"] != "judgment"].copy()
    # each tool's own domain order ("Deviations from intended interventions" is D2 in RoB 2 but D4 in ROBINS-I)
    q["_o"] = [_DOMAINS[t].index(d) for t, d in zip(q["tool"], q["domain"])]
    return q.sort_values(["study", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def judgments(names: list[str] | None = None, directory=None) -> pd.DataFrame:
    """Domain-level judgments of every signalling table (or of ``names``), in the layout of a risk-of-bias table.

    Columns ``study, tool, outcome, domain_order, domain, judgment, reason, n_questions``;
    ``n_questions`` counts the answered questions behind each judgment.
    """
    names = signalling_tables(directory) if names is None else [_table_name(n, "signalling") for n in names]
    if not names:
        raise ValueError("names=[] is not allowed: no *_signalling table was found or given.")
    rows = []
    for n in names:
        t = signalling(n, directory)
        for (study, tool), g in t.groupby(["study", "tool"], sort=False):
            for i, domain in enumerate(_DOMAINS[tool], start=1):
                d = g[g["domain"] == domain]
                j = d[d["item"] == "judgment"].iloc[0]
                rows.append({"study": study, "tool": tool, "outcome": j["outcome"], "domain_order": i,
                             "domain": domain, "judgment": j["answer"], "reason": j["support"],
                             "n_questions": int((d["item"] != "judgment").sum())})
    return pd.DataFrame(rows)


def contradictions(name: str, directory=None) -> pd.DataFrame:
    """One source's internal contradictions (``name`` with or without the ``_contradictions`` suffix)."""
    name = _table_name(name, "contradictions")
    t = data.load_table(name, directory)
    if t.empty:
        raise ValueError(f"{name}: the table has no rows; write 'none found' as a row if the source has none.")
    return t


def safety(name: str, level: float = 0.95, directory=None) -> pd.DataFrame:
    """One source's safety statements with the upper confidence bound each count allows.

    Adds ``observed %`` (100 × events / n) and ``upper bound %``: the exact one-sided
    Clopper–Pearson bound at ``level`` for zero events (:func:`appraisal.recompute.zero_event_upper`,
    which the rule of three approximates), and the upper end of the two-sided exact
    interval at ``level`` (statsmodels ``proportion_confint(method="beta")``) otherwise.
    Rows without a count (``n`` empty) keep empty bounds: the statement gave no denominator.
    """
    level = chk.probability("level", level)
    name = _table_name(name, "safety")
    t = data.load_table(name, directory)
    if t.empty:
        raise ValueError(f"{name}: the table has no rows.")
    obs, up = [], []
    for r in t.itertuples(index=False):
        if pd.isna(r.n) or pd.isna(r.events):
            obs.append(None)
            up.append(None)
            continue
        k, n = chk.count_within("events", int(r.events), "n", int(r.n))
        if n == 0:
            raise ValueError(f"{name}: n=0 is not allowed in the row {r.statement!r}: a count needs people observed.")
        obs.append(100.0 * k / n)
        up.append(100.0 * (zero_event_upper(n, level) if k == 0 else
                           proportion_confint(k, n, alpha=1 - level, method="beta")[1]))
    return t.assign(**{"observed %": obs, "upper bound %": up})
