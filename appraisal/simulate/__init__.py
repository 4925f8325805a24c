"""Null models of the sources' designs: what each design produces when treatment does nothing.

Each module here simulates one design (matched pairs, single-arm before/after,
multiplicity, lesion counts, EDSS categories, ...). Every simulation is vectorized
with NumPy and takes a ``seed`` so that a notebook re-run gives the same numbers.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as chk

__all__ = ["rng"]


def rng(seed: int) -> np.random.Generator:
    """A NumPy generator from a whole-number seed (checked)."""
    return np.random.default_rng(chk.seed("seed", seed))
