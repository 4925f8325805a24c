"""Load the numbers the book takes from its sources, validated against their schemas.

Each table in ``data/`` is a tidy CSV file ``NAME.csv`` with a Frictionless Data
Resource descriptor ``NAME.resource.json`` beside it: a title, a description, the
bibliography key of the publication it comes from, and a Table Schema giving each
column's type and allowed values. :func:`load_table` validates the CSV with the
``frictionless`` library and stops with a message naming the file, the row and the
column of the first problems it finds.

Tables of numbers reported in the sources use the "reported" layout: one row per
number, with the columns ``quantity`` (a short identifier), ``value`` (the number),
``printed`` (the number exactly as printed), ``unit`` and ``location`` (table or
section where it stands). :func:`reported` and :func:`value` read them.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "DataValidationError",
    "data_dir",
    "list_tables",
    "describe",
    "validate_table",
    "load_table",
    "reported",
    "value",
    "printed",
]

REPORTED_COLUMNS = ("quantity", "value", "printed", "unit", "location")
_PANDAS_TYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "string"}
_MAX_ERRORS = 5


class DataValidationError(ValueError):
    """A data table does not match its schema (file, row and column are in the message)."""


def data_dir() -> Path:
    """The folder holding the tables: ``$APPRAISAL_DATA_DIR`` if set, else ``data/`` of the repository."""
    env = os.environ.get("APPRAISAL_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "data"


def list_tables(directory: Path | str | None = None) -> list[str]:
    """Names of every table (a CSV with a ``.resource.json`` beside it)."""
    d = Path(directory) if directory is not None else data_dir()
    return sorted(p.name[: -len(".resource.json")] for p in d.glob("*.resource.json"))


def _descriptor_path(name: str, directory: Path) -> Path:
    if not isinstance(name, str) or not name or "/" in name or name.endswith(".csv"):
        raise ValueError(f"name={name!r} is not allowed: name must be a table name such as 'mesems2021', without '.csv'.")
    path = directory / f"{name}.resource.json"
    if not path.exists():
        known = ", ".join(list_tables(directory)) or "none"
        raise ValueError(f"name={name!r} is not allowed: no table {path.name} in {directory}; known tables: {known}.")
    return path


def describe(name: str, directory: Path | str | None = None) -> dict:
    """The resource descriptor (title, description, sources, schema) of a table."""
    d = Path(directory) if directory is not None else data_dir()
    return json.loads(_descriptor_path(name, d).read_text(encoding="utf-8"))


def validate_table(name: str, directory: Path | str | None = None) -> None:
    """Validate ``NAME.csv`` against its schema; raise :class:`DataValidationError` if it fails."""
    from frictionless import Resource  # imported here: a slow import that only validation needs

    d = Path(directory) if directory is not None else data_dir()
    descriptor = describe(name, d)
    csv_name = descriptor.get("path")
    if csv_name != f"{name}.csv":
        raise DataValidationError(f"{name}.resource.json: 'path' is {csv_name!r}; it must be '{name}.csv'.")
    if not (d / csv_name).exists():
        raise DataValidationError(f"{csv_name}: file is missing from {d}.")
    report = Resource.from_descriptor(descriptor, basepath=str(d)).validate()
    if report.valid:
        return
    lines = []
    for task in report.tasks:
        for err in task.errors[:_MAX_ERRORS]:
            row = getattr(err, "row_number", None)
            field = getattr(err, "field_name", None)
            where = ", ".join(x for x in (f"row {row}" if row else "", f"column '{field}'" if field else "") if x)
            lines.append(f"{csv_name}: {where or 'table'}: {err.message}")
    lines.extend(f"{csv_name}: {e.message}" for e in report.errors[:_MAX_ERRORS])
    raise DataValidationError("\n".join(lines) + "\n(rows are counted as lines of the file, header = row 1)")


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "appraisal" / "validated.json"


def _content_hash(name: str, d: Path) -> str:
    h = hashlib.sha256()
    for suffix in (".csv", ".resource.json"):
        path = d / f"{name}{suffix}"
        h.update(path.read_bytes() if path.exists() else b"<missing>")
    return h.hexdigest()


def _validate_cached(name: str, d: Path) -> None:
    """Validate unless these exact bytes (CSV + descriptor) were validated before.

    Frictionless validation costs about a second per process (mostly its import);
    the result depends only on the two files' contents, so it is remembered by their
    SHA-256 in ``~/.cache/appraisal/validated.json``. :func:`validate_table` (used by
    the tests) always validates in full.
    """
    digest = _content_hash(name, d)
    cache = _cache_file()
    try:
        known = set(json.loads(cache.read_text()))
    except (OSError, ValueError):
        known = set()
    if digest in known:
        return
    validate_table(name, d)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(known | {digest})))
        tmp.replace(cache)
    except OSError:
        pass  # a read-only home only costs speed


@lru_cache(maxsize=None)
def _load(name: str, directory: str, mtime: float) -> pd.DataFrame:
    d = Path(directory)
    _validate_cached(name, d)
    fields = describe(name, d)["schema"]["fields"]
    dtypes = {f["name"]: _PANDAS_TYPES.get(f.get("type", "string"), "string") for f in fields}
    frame = pd.read_csv(d / f"{name}.csv", dtype=dtypes, keep_default_na=False, na_values=[""])
    for col, t in dtypes.items():
        if t == "string":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def load_table(name: str, directory: Path | str | None = None) -> pd.DataFrame:
    """Load a validated table as a DataFrame (a fresh copy each call)."""
    d = Path(directory) if directory is not None else data_dir()
    _descriptor_path(name, d)
    mtime = max((d / f"{name}.csv").stat().st_mtime if (d / f"{name}.csv").exists() else 0.0,
                (d / f"{name}.resource.json").stat().st_mtime)
    return _load(name, str(d.resolve()), mtime).copy()


def reported(name: str, directory: Path | str | None = None) -> pd.DataFrame:
    """A table in the "reported" layout, indexed by ``quantity``."""
    frame = load_table(name, directory)
    missing = [c for c in REPORTED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"name={name!r} is not allowed: table lacks the reported-layout columns {missing}.")
    if frame["quantity"].duplicated().any():
        dup = frame.loc[frame["quantity"].duplicated(), "quantity"].tolist()
        raise DataValidationError(f"{name}.csv: column 'quantity' repeats {dup}; each quantity must appear once.")
    return frame.set_index("quantity")


def _row(name: str, quantity: str, directory):
    table = reported(name, directory)
    if quantity not in table.index:
        raise ValueError(
            f"quantity={quantity!r} is not allowed: {name}.csv has no such quantity; it has {', '.join(table.index)}."
        )
    return table.loc[quantity]


def value(name: str, quantity: str, directory: Path | str | None = None) -> float | int:
    """One reported number as a plain Python number (safe for myst-nb ``glue``)."""
    v = _row(name, quantity, directory)["value"]
    if pd.isna(v):
        raise ValueError(f"quantity={quantity!r} is not allowed: {name}.csv gives no numeric value for it.")
    v = float(v)
    return int(v) if v.is_integer() and "." not in str(_row(name, quantity, directory)["printed"]) else v


def printed(name: str, quantity: str, directory: Path | str | None = None) -> str:
    """One reported number exactly as printed in the source (for audits)."""
    return str(_row(name, quantity, directory)["printed"])
