"""Clinical rating scales used in the sources: ALSFRS-R, FT9 staging and the EDSS.

* ALSFRS-R: 12 items scored 0 (worst) to 4 (normal), total 0–48, grouped in four
  domains of three items (Cedarbaum et al., J Neurol Sci 1999;169:13–21). The item
  list and domains are in ``data/alsfrs_r_items.csv``.
* FT9 ("Fine 'til 9") staging as described by Barczewska et al. (Stem Cell Rev Rep
  2020): a domain scoring below 9 of its 12 points counts as involved; the stage is 1
  plus the number of involved domains (1–5).
* EDSS: 0 to 10 in half steps from 1.0 (Kurtzke, Neurology 1983;33:1444–52).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks as chk
from .data import load_table

__all__ = ["N_ITEMS", "DOMAIN_THRESHOLD", "EDSS_STEPS", "alsfrs_r_items", "FT9Result", "alsfrs_r_total", "ft9_stage",
           "edss_round"]

N_ITEMS = 12
DOMAIN_THRESHOLD = 9  # a domain below 9 of 12 points is "involved" in FT9 staging
EDSS_STEPS: tuple[float, ...] = (0.0,) + tuple(np.arange(1.0, 10.01, 0.5).round(1))


def alsfrs_r_items():
    """The 12 ALSFRS-R items with their domain (a DataFrame from ``data/``)."""
    return load_table("alsfrs_r_items")


def _check_items(scores) -> np.ndarray:
    if isinstance(scores, (str, bytes, dict)) or scores is None:
        raise chk.ArgumentTypeError(f"scores={scores!r} is not allowed: scores must be a sequence of 12 item scores.")
    try:
        arr = np.asarray(scores, dtype=object)
    except ValueError:
        raise ValueError(f"scores={scores!r} is not allowed: scores must be 12 item scores (a flat sequence).") from None
    if arr.shape != (N_ITEMS,):
        raise ValueError(f"scores={scores!r} is not allowed: scores must be 12 item scores (got shape {arr.shape}).")
    out = np.empty(N_ITEMS, dtype=int)
    for i, s in enumerate(arr):
        out[i] = chk.integer(f"scores[{i}] (item {i + 1})", s, low=0, high=4)
    return out


@dataclass(frozen=True)
class FT9Result:
    """Total ALSFRS-R score, the four domain subtotals and the FT9 stage."""

    total: int
    domains: dict[str, int]
    involved: tuple[str, ...]
    stage: int


def alsfrs_r_total(scores) -> int:
    """Total ALSFRS-R score (0–48) from 12 item scores, each a whole number 0–4."""
    return int(_check_items(scores).sum())


def ft9_stage(scores) -> FT9Result:
    """FT9 stage from 12 ALSFRS-R item scores (in item order 1–12).

    Stage = 1 + number of domains (bulbar, upper limb, lower limb, breathing)
    scoring below 9 of their 12 points, as described by Barczewska et al. 2020.
    """
    items = _check_items(scores)
    table = alsfrs_r_items().sort_values("item")
    domains: dict[str, int] = {}
    for domain, idx in table.groupby("domain", sort=False)["item"]:
        domains[domain] = int(items[np.asarray(idx, dtype=int) - 1].sum())
    involved = tuple(d for d, s in domains.items() if s < DOMAIN_THRESHOLD)
    return FT9Result(int(items.sum()), domains, involved, 1 + len(involved))


def edss_round(value: float) -> float:
    """Round a latent disability value to the nearest EDSS step (0, 1.0, 1.5, …, 10).

    Values between 0 and 1 go to whichever of 0 and 1.0 is nearer, since the scale has
    no 0.5 step.
    """
    v = chk.number("value", value)
    chk.in_range("value", v, 0.0, 10.0)
    steps = np.asarray(EDSS_STEPS)
    return float(steps[np.argmin(np.abs(steps - v))])
