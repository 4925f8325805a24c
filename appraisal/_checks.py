"""Argument checks shared by every public function of the package.

Each check raises :class:`ValueError` whose message names the argument, the value
that was given and what is allowed, so that a reader who mistypes a parameter in a
notebook sees at once what went wrong instead of a traceback from inside a library.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, Iterable

import numpy as np


def _fail(name: str, value: Any, allowed: str) -> None:
    raise ValueError(f"{name}={value!r} is not allowed: {name} must be {allowed}.")


def number(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        _fail(name, value, "a finite real number")
    value = float(value)
    if not math.isfinite(value):
        _fail(name, value, "a finite real number (not NaN or infinite)")
    return value


def in_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as float if it lies in the stated interval, else raise."""
    v = number(name, value)
    lo_ok = low is None or (v >= low if low_inclusive else v > low)
    hi_ok = high is None or (v <= high if high_inclusive else v < high)
    if not (lo_ok and hi_ok):
        left = "(-inf" if low is None else ("[" if low_inclusive else "(") + f"{low:g}"
        right = "inf)" if high is None else f"{high:g}" + ("]" if high_inclusive else ")")
        _fail(name, value, f"in {left}, {right}")
    return v


def positive(name: str, value: Any) -> float:
    """A strictly positive finite number."""
    return in_range(name, value, 0.0, None, low_inclusive=False)


def non_negative(name: str, value: Any) -> float:
    """A finite number >= 0."""
    return in_range(name, value, 0.0, None)


def probability(name: str, value: Any, *, open_interval: bool = True) -> float:
    """A probability strictly inside (0, 1) by default, or in [0, 1]."""
    return in_range(
        name, value, 0.0, 1.0, low_inclusive=not open_interval, high_inclusive=not open_interval
    )


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """A whole number (bools refused) within optional bounds."""
    if isinstance(value, bool):
        _fail(name, value, "a whole number")
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if not isinstance(value, (Integral, np.integer)):
        _fail(name, value, "a whole number")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        _fail(name, value, f"a whole number from {lo} to {hi}")
    return value


def count_within(count_name: str, count: Any, total_name: str, total: Any) -> tuple[int, int]:
    """A count of events ``0 <= count <= total`` with ``total >= 1``."""
    total = integer(total_name, total, low=1)
    count = integer(count_name, count, low=0)
    if count > total:
        _fail(count_name, count, f"at most {total_name}={total}")
    return count, total


def ordered_interval(lower_name: str, lower: Any, upper_name: str, upper: Any) -> tuple[float, float]:
    """Two finite numbers with ``lower < upper``."""
    lo = number(lower_name, lower)
    hi = number(upper_name, upper)
    if not lo < hi:
        _fail(lower_name, lower, f"below {upper_name}={upper!r}")
    return lo, hi


def one_of(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """One of a fixed set of choices."""
    allowed = list(allowed)
    if value not in allowed:
        _fail(name, value, "one of " + ", ".join(repr(a) for a in allowed))
    return value


def seed(name: str, value: Any) -> int:
    """A seed for :func:`numpy.random.default_rng`: a whole number >= 0."""
    return integer(name, value, low=0)
