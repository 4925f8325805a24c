"""How much should one "significant" study move us? Positive predictive value of a finding.

Ioannidis (PLoS Med 2005;2:e124) asks: of all the research findings that reach
statistical significance in a field, what fraction are true? The answer depends on

* the **prior** probability that the tested relationship is real (he writes it as the
  pre-study odds ``R = prior / (1 − prior)``);
* the **power** ``1 − β`` of the study to detect the relationship if it is real;
* the significance level ``α``;
* the **bias** ``u``: the proportion of analyses that would not have been "significant"
  but are reported as such anyway, through flexible analysis, selective reporting,
  or design flaws.

His formula (with bias, his equation for PPV in the section "Bias") is::

    PPV = ([1 − β] R + u β R) / (R + α − β R + u − u α + u β R)

Multiplying the numerator and denominator by ``1 − prior`` gives the probability form
used here, which also works at ``prior = 1`` (infinite odds)::

    PPV = prior · P′ / (prior · P′ + (1 − prior) · α′),
    P′ = 1 − β (1 − u)      (chance that a real effect ends up reported "significant")
    α′ = α + u (1 − α)      (chance that a null effect ends up reported "significant")

No library implements this formula, so it is written here; the tests pin it against
every row of Ioannidis's Table 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _checks as chk

__all__ = [
    "prior_from_odds",
    "odds_from_prior",
    "ppv",
    "ppv_ioannidis",
    "probability_true_if_not_significant",
    "PPVResult",
    "ppv_scenario",
    "ppv_curve",
    "ppv_table",
]


def prior_from_odds(odds: float) -> float:
    """Prior probability from pre-study odds ``R`` (Ioannidis's ratio of true to null relationships).

    >>> prior_from_odds(1.0)
    0.5
    """
    odds = chk.non_negative("odds", odds)
    return odds / (1.0 + odds)


def odds_from_prior(prior: float) -> float:
    """Pre-study odds ``R = prior / (1 − prior)`` from a prior probability in [0, 1)."""
    prior = chk.in_range("prior", prior, 0.0, 1.0, high_inclusive=False)
    return prior / (1.0 - prior)


def _check(prior, power, alpha, bias) -> tuple[float, float, float, float]:
    """Validate the four inputs: prior in [0, 1], α in (0, 1), power in (α, 1], bias in [0, 1]."""
    prior = chk.in_range("prior", prior, 0.0, 1.0)
    alpha = chk.probability("alpha", alpha)
    power = chk.number("power", power)
    if not alpha < power <= 1.0:
        raise ValueError(
            f"power={power!r} is not allowed: power must be in (alpha, 1] = ({alpha:g}, 1]; "
            "a test with power at or below alpha cannot tell a real effect from none."
        )
    bias = chk.in_range("bias", bias, 0.0, 1.0)
    return prior, power, alpha, bias


def ppv(prior: float, power: float = 0.8, alpha: float = 0.05, bias: float = 0.0) -> float:
    """Probability that a relationship reported as statistically significant is real.

    Parameters
    ----------
    prior : probability, in [0, 1], that the relationship is real before the study.
    power : probability ``1 − β`` of a significant result if it is real; in (alpha, 1].
    alpha : significance level, in (0, 1).
    bias : Ioannidis's ``u``, in [0, 1]: the share of would-be non-significant analyses
        that are reported as significant anyway.

    Ioannidis JPA. Why most published research findings are false. PLoS Med
    2005;2(8):e124 (formula in the section "Bias"), in the probability form given in
    the module docstring.

    >>> round(ppv(0.5, power=0.8, alpha=0.05, bias=0.1), 2)   # Table 4, first row
    0.85
    """
    prior, power, alpha, bias = _check(prior, power, alpha, bias)
    beta = 1.0 - power
    p_real = 1.0 - beta * (1.0 - bias)
    p_null = alpha + bias * (1.0 - alpha)
    true_pos = prior * p_real
    return float(true_pos / (true_pos + (1.0 - prior) * p_null))


def ppv_ioannidis(odds: float, power: float = 0.8, alpha: float = 0.05, bias: float = 0.0) -> float:
    """The same PPV written exactly as Ioannidis printed it, in terms of the pre-study odds ``R``.

    PPV = ([1 − β]R + uβR) / (R + α − βR + u − uα + uβR). Kept so the tests can show the
    two forms agree; use :func:`ppv` in chapters.
    """
    odds = chk.non_negative("odds", odds)
    _, power, alpha, bias = _check(0.5, power, alpha, bias)
    b, r, u = 1.0 - power, odds, bias
    return float(((1 - b) * r + u * b * r) / (r + alpha - b * r + u - u * alpha + u * b * r))


def probability_true_if_not_significant(prior: float, power: float = 0.8, alpha: float = 0.05) -> float:
    """Probability that the relationship is real after a study that did NOT reach significance.

    Bayes' rule with the same ingredients (no bias term: a non-significant report is
    taken at face value): prior·β / (prior·β + (1 − prior)(1 − α)). It is the
    complement of the negative predictive value of the test.
    """
    prior, power, alpha, _ = _check(prior, power, alpha, 0.0)
    if prior == 1.0 and power == 1.0:
        raise ValueError("prior=1.0 is not allowed with power=1.0: a real effect is then always significant, so a "
                         "non-significant result cannot happen and its probability is undefined; lower prior or power.")
    beta = 1.0 - power
    num = prior * beta
    den = num + (1.0 - prior) * (1.0 - alpha)
    return float(num / den)


@dataclass(frozen=True)
class PPVResult:
    """PPV at one setting, with the curve over all priors for drawing."""

    prior: float
    power: float
    alpha: float
    bias: float
    ppv: float
    ppv_no_bias: float
    if_not_significant: float
    priors: np.ndarray
    curve: np.ndarray
    curve_no_bias: np.ndarray


def ppv_curve(priors, power: float = 0.8, alpha: float = 0.05, bias: float = 0.0) -> np.ndarray:
    """PPV for an array of priors (vectorized; the same formula as :func:`ppv`)."""
    priors = chk.array("priors", priors, ndim=1, low=0.0, high=1.0)
    _, power, alpha, bias = _check(0.5, power, alpha, bias)
    p_real = 1.0 - (1.0 - power) * (1.0 - bias)
    p_null = alpha + bias * (1.0 - alpha)
    tp = priors * p_real
    return tp / (tp + (1.0 - priors) * p_null)


_GRID = np.linspace(0.0, 1.0, 201)


def ppv_scenario(prior: float = 0.1, power: float = 0.8, alpha: float = 0.05, bias: float = 0.0) -> PPVResult:
    """Everything the PPV explorer shows for one setting (pure; fast enough for a widget)."""
    prior, power, alpha, bias = _check(prior, power, alpha, bias)
    return PPVResult(
        prior=prior,
        power=power,
        alpha=alpha,
        bias=bias,
        ppv=ppv(prior, power, alpha, bias),
        ppv_no_bias=ppv(prior, power, alpha, 0.0),
        if_not_significant=probability_true_if_not_significant(prior, power, alpha),
        priors=_GRID,
        curve=ppv_curve(_GRID, power, alpha, bias),
        curve_no_bias=ppv_curve(_GRID, power, alpha, 0.0),
    )


def ppv_table(priors, power: float = 0.8, alpha: float = 0.05, biases=(0.0, 0.2, 0.5)) -> pd.DataFrame:
    """A table of PPV with one row per prior and one column per bias level."""
    priors = chk.array("priors", priors, ndim=1, low=0.0, high=1.0)
    biases = [chk.in_range(f"biases[{i}]", b, 0.0, 1.0) for i, b in enumerate(chk.string_list("biases", biases))]
    if not biases:
        raise ValueError(f"biases={biases!r} is not allowed: give at least one bias in [0, 1].")
    cols = {f"PPV, bias {b:g}": ppv_curve(priors, power, alpha, b) for b in biases}
    return pd.DataFrame({"prior": priors, **cols})

