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
import pandas as pd


def _fail(name: str, value: Any, allowed: str) -> None:
    raise ValueError(f"{name}={value!r} is not allowed: {name} must be {allowed}.")


def _fail_shown(name: str, shown: str, allowed: str) -> None:
    """:func:`_fail` with the value already written out (a short form of a long value)."""
    raise ValueError(f"{name}={shown} is not allowed: {name} must be {allowed}.")


def number(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        _fail_shown(name, _short(value), "a finite real number")
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
    if isinstance(value, (bool, np.bool_)):
        _fail(name, value, "a whole number")
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    if not isinstance(value, (Integral, np.integer)):
        _fail(name, value, "a whole number")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        _fail(name, value, f"a whole number from {lo} to {hi}")
    return value


#: the largest denominator (people, pairs, tables) any count may have
MAX_COUNT = 10**9


def count_within(count_name: str, count: Any, total_name: str, total: Any,
                 max_total: int = MAX_COUNT) -> tuple[int, int]:
    """A count of events ``0 <= count <= total`` with ``1 <= total <= max_total``."""
    total = integer(total_name, total, low=1, high=max_total)
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
    return choice(name, value, allowed)


def seed(name: str, value: Any) -> int:
    """A seed for :func:`numpy.random.default_rng`: a whole number >= 0."""
    return integer(name, value, low=0)


# ---------------------------------------------------------------------------------- types, text and objects


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type. A :class:`TypeError`, and also a :class:`ValueError` so that
    callers (and older tests) catching ``ValueError`` for every refused argument still catch it."""


def _type_fail(name: str, value: Any, allowed: str) -> None:
    raise ArgumentTypeError(f"{name}={_short(value)} is not allowed: {name} must be {allowed}.")


def _short(value: Any) -> str:
    """A short repr for messages (tables and arrays are named by type and shape, not printed whole)."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return f"<{type(value).__name__} with shape {value.shape}>"
    if isinstance(value, np.ndarray) and value.size > 8:
        return f"<array with shape {value.shape}>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def instance(name: str, value: Any, cls, what: str | None = None) -> Any:
    """``value`` if it is an instance of ``cls`` (a class or tuple of classes), else :class:`TypeError`."""
    if not isinstance(value, cls):
        label = what or (" or ".join(c.__name__ for c in cls) if isinstance(cls, tuple) else cls.__name__)
        _type_fail(name, value, f"a {label}")
    return value


def text(name: str, value: Any, *, empty: bool = True) -> str:
    """A string (``empty=False``: with at least one non-blank character)."""
    if not isinstance(value, str):
        _type_fail(name, value, "a string")
    if not empty and not value.strip():
        _fail(name, value, "a non-empty string")
    return value


def flag(name: str, value: Any) -> bool:
    """True or False (a bool or NumPy bool, nothing else)."""
    if not isinstance(value, (bool, np.bool_)):
        _type_fail(name, value, "True or False")
    return bool(value)


def axes(name: str, value: Any):
    """A Matplotlib Axes to draw on."""
    from matplotlib.axes import Axes

    return instance(name, value, Axes, "Matplotlib Axes (e.g. from plt.subplots())")


def directory(name: str, value: Any):
    """A folder given as ``None`` (the default), a string or a :class:`pathlib.Path`."""
    from pathlib import PurePath

    if value is not None and not isinstance(value, (str, PurePath)):
        _type_fail(name, value, "None, a string or a pathlib.Path naming a folder")
    return value


def choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """:func:`one_of` that also refuses unhashable or array-like values cleanly."""
    allowed = list(allowed)
    def same(a) -> bool:
        if value is a:
            return True
        if isinstance(value, (bool, np.bool_)) != isinstance(a, (bool, np.bool_)):
            return False
        try:
            r = value == a
        except (TypeError, ValueError):
            return False
        return r is True or (isinstance(r, np.bool_) and bool(r))

    ok = any(same(a) for a in allowed)
    if not ok:
        _fail_shown(name, _short(value), "one of " + ", ".join(repr(a) for a in allowed))
    return value


# ---------------------------------------------------------------------------------- sizes


def size_limit(name: str, value: int, limit: int, what: str) -> int:
    """Refuse a size (often a product of arguments) above ``limit`` before any memory is taken.

    ``name`` is how the size is written from the arguments, e.g. ``"n_studies × n_per_arm"``.
    """
    if value > limit:
        raise ValueError(f"{name}={value:,} is not allowed: {name} must be at most {limit:,} ({what}).")
    return value


# ---------------------------------------------------------------------------------- arrays and tables


def array(
    name: str,
    values: Any,
    *,
    ndim: int | tuple[int, ...] | None = None,
    min_size: int = 1,
    max_size: int | None = 10_000_000,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    finite: bool = True,
) -> np.ndarray:
    """``values`` as a float array: numbers only, the right number of dimensions, non-empty, finite, in range.

    The one helper every function taking a sequence of numbers uses.
    """
    if isinstance(values, (str, bytes, dict, pd.DataFrame)) or values is None:
        _type_fail(name, values, "a number or a sequence of numbers")
    if isinstance(values, (bool, np.bool_)):
        _type_fail(name, values, "a number or a sequence of numbers (not True/False)")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        _type_fail(name, values, "a number or a rectangular sequence of numbers")
    if ndim is not None:
        dims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in dims:
            _fail_shown(name, _short(values), f"{' or '.join(map(str, dims))}-dimensional (it has shape {arr.shape})")
    if arr.size < min_size:
        _fail_shown(name, _short(values), f"at least {min_size} number(s)")
    if max_size is not None and arr.size > max_size:
        _fail_shown(name, f"<{arr.size:,} numbers>", f"at most {max_size:,} numbers")
    if finite and not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr.ravel()))[0]
        _fail_shown(name, _short(values), f"finite numbers (no NaN or infinity; first at position {int(bad)})")
    if low is not None and arr.size:
        below = arr < low if low_inclusive else arr <= low
        if np.any(below):
            _fail_shown(name, _short(values), f"numbers {'≥' if low_inclusive else '>'} {low:g}")
    if high is not None and arr.size:
        above = arr > high if high_inclusive else arr >= high
        if np.any(above):
            _fail_shown(name, _short(values), f"numbers {'≤' if high_inclusive else '<'} {high:g}")
    return arr


def frame(name: str, value: Any, columns: Iterable[str] = (), *, numeric: Iterable[str] = (),
          allow_empty: bool = False) -> pd.DataFrame:
    """A DataFrame with the ``columns`` needed, rows (unless ``allow_empty``) and finite ``numeric`` columns."""
    if not isinstance(value, pd.DataFrame):
        _type_fail(name, value, "a pandas DataFrame")
    columns = list(columns)
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{name} is not allowed: {name} lacks the columns {missing}; it needs {columns}.")
    if value.empty and not allow_empty:
        raise ValueError(f"{name} is not allowed: {name} has no rows.")
    for c in numeric:
        if c not in value.columns:
            continue
        try:
            vals = pd.to_numeric(value[c], errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise ValueError(f"{name} is not allowed: column {c!r} of {name} must hold numbers.") from None
        if not np.all(np.isfinite(vals)):
            row = int(np.flatnonzero(~np.isfinite(vals))[0])
            raise ValueError(f"{name} is not allowed: column {c!r} of {name} must hold finite numbers "
                             f"(row {row} holds {vals[row]!r}).")
    return value


def string_list(name: str, values: Any, *, min_len: int = 0, length: int | None = None) -> list:
    """A list or tuple (not a string), with at least ``min_len`` items or exactly ``length``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        _type_fail(name, values, "a list or tuple")
    values = list(values)
    if length is not None and len(values) != length:
        _fail_shown(name, _short(values), f"a list of exactly {length} items (it has {len(values)})")
    if len(values) < min_len:
        _fail_shown(name, _short(values), f"a list of at least {min_len} item(s)")
    return values


# ---------------------------------------------------------------------------------- numbers as printed

_PREFIX = "<>=≤≥ ~"


def printed_number(name: str, value: Any, *, percent: bool = False) -> tuple[float, float]:
    """Parse a number as printed ("0.58", "−0.1", "<0.01", "1,234", "33%") into (value, half a unit).

    Half a unit in the last printed decimal place is the rounding tolerance. Refuses
    anything that is not a plain finite decimal ("nan", "inf", "1e400", "", "abc"),
    naming ``name``.
    """
    from decimal import Decimal, InvalidOperation

    if not isinstance(value, str):
        _type_fail(name, value, "the number as printed, a string such as '0.58'")
    t = value.strip().lstrip(_PREFIX).replace(",", "").replace("−", "-").strip()
    if t.endswith("%"):
        t = t[:-1].strip()
    try:
        d = Decimal(t)
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or "e" in t.lower():
        _fail(name, value, "a plain decimal number as printed, such as '0.58', '<0.01' or '33%'")
    exponent = int(d.as_tuple().exponent)
    v = float(d)
    if not math.isfinite(v) or abs(exponent) > 300:
        _fail(name, value, "a plain decimal number of ordinary size")
    if percent and not 0.0 <= v <= 100.0:
        _fail(name, value, "a percentage from 0 to 100")
    return v, 0.5 * 10.0 ** exponent
