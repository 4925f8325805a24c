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

The loader is the gate: beside the Table Schema, :func:`validate_table` refuses

* a descriptor that is not valid UTF-8 JSON or has no ``schema.fields`` (the error names the file);
* a table without rows;
* a non-finite number (Table Schema itself accepts ``NaN`` and ``INF``);
* in the reported layout, a ``value`` that disagrees with its ``printed`` text. The printed
  text may be a plain decimal (with a bound such as ``<0.01``, thousands separators, a
  trailing ``%``, a leading ``.`` or a Unicode minus: the value must equal it), a power
  of ten (``"30 × 10^6"``: the value is 30·10⁶, or 30 when the unit says "million"), or a
  number word (``"three"``); any other printed text is refused;
* a share (a reported row whose unit starts with "percent of", or a column marked
  ``"appraisal:percent": true``) outside 0–100;
* a count that is not whole and non-negative or exceeds its denominator, where the
  descriptor marks it: a column with ``"appraisal:denominator": "<column>"`` (or ``null``
  for a count without one), or, for the reported layout, a resource key
  ``"appraisal:counts": {"<count quantity>": "<denominator quantity>" or null}``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import _checks as chk

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


def _dir(directory) -> Path:
    chk.directory("directory", directory)
    return Path(directory) if directory is not None else data_dir()


#: where an installed wheel (the browser's live site) carries the tables, with the manifest of
#: the content hashes they had when the full gate validated them (book_assets/sphinx/live_site.py)
_PACKAGED = "_data"
_MANIFEST = "validated.json"


def _packaged_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("appraisal") / _PACKAGED))


def data_dir() -> Path:
    """The folder holding the tables.

    ``$APPRAISAL_DATA_DIR`` if set; else ``data/`` of the repository (a checkout); else the
    tables shipped inside the installed package (``appraisal/_data``, as in the browser).
    """
    env = os.environ.get("APPRAISAL_DATA_DIR")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[1] / "data"
    return repo if repo.is_dir() else _packaged_dir()


def list_tables(directory: Path | str | None = None) -> list[str]:
    """Names of every table (a CSV with a ``.resource.json`` beside it)."""
    d = _dir(directory)
    return sorted(p.name[: -len(".resource.json")] for p in d.glob("*.resource.json"))


def _descriptor_path(name: str, directory: Path) -> Path:
    if not isinstance(name, str) or not name or "/" in name or name.endswith(".csv"):
        raise ValueError(f"name={name!r} is not allowed: name must be a table name such as 'mesems2021', without '.csv'.")
    path = directory / f"{name}.resource.json"
    if not path.exists():
        known = ", ".join(list_tables(directory)) or "none"
        raise ValueError(f"name={name!r} is not allowed: no table {path.name} in directory={str(directory)!r}; "
                         f"known tables: {known}.")
    return path


def describe(name: str, directory: Path | str | None = None) -> dict:
    """The resource descriptor (title, description, sources, schema) of a table.

    Raises :class:`DataValidationError` naming the file when it is not UTF-8 JSON, not an
    object, or has no ``schema`` with a list of ``fields``.
    """
    d = _dir(directory)
    path = _descriptor_path(name, d)
    try:
        desc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise DataValidationError(f"{path.name}: not valid UTF-8 text ({err.reason} at byte {err.start}).") from None
    except json.JSONDecodeError as err:
        raise DataValidationError(f"{path.name}: not valid JSON ({err.msg}, line {err.lineno}, column {err.colno}).") from None
    if not isinstance(desc, dict):
        raise DataValidationError(f"{path.name}: the descriptor must be a JSON object, not {type(desc).__name__}.")
    schema = desc.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        raise DataValidationError(f"{path.name}: the descriptor has no 'schema' with a non-empty list of 'fields'.")
    if not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"]):
        raise DataValidationError(f"{path.name}: every schema field must be an object with a 'name'.")
    return desc


def validate_table(name: str, directory: Path | str | None = None) -> None:
    """Validate ``NAME.csv`` against its schema; raise :class:`DataValidationError` if it fails."""
    from frictionless import Resource  # imported here: a slow import that only validation needs

    d = _dir(directory)
    descriptor = describe(name, d)
    csv_name = descriptor.get("path")
    if csv_name != f"{name}.csv":
        raise DataValidationError(f"{name}.resource.json: 'path' is {csv_name!r}; it must be '{name}.csv'.")
    if not (d / csv_name).exists():
        raise DataValidationError(f"{csv_name}: file is missing from {d}.")
    try:
        (d / csv_name).read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataValidationError(f"{csv_name}: not valid UTF-8 text ({err.reason} at byte {err.start}).") from None
    try:
        report = Resource.from_descriptor(descriptor, basepath=str(d)).validate()
    except Exception as err:  # frictionless raises its own errors for a broken descriptor
        raise DataValidationError(f"{name}.resource.json: frictionless cannot read it: {err}") from None
    if report.valid:
        _gate(name, descriptor, _read(name, d, descriptor))
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


_GATE_VERSION = b"appraisal-gate-2"


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "appraisal" / "validated.json"


def _content_hash(name: str, d: Path) -> str:
    h = hashlib.sha256(_GATE_VERSION)  # a stricter gate must not trust digests a laxer one approved
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
    if d.resolve() == _packaged_dir().resolve() and (d / _MANIFEST).exists():
        # The tables inside an installed wheel were validated in full when the wheel was
        # built; frictionless (compiled Rust) cannot run in the browser, so check the hash.
        manifest = json.loads((d / _MANIFEST).read_text())
        if manifest.get(name) != digest:
            raise DataValidationError(
                f"{name}: its files differ from the ones validated when the package was built "
                f"({d / _MANIFEST}); rebuild the package (book_assets/sphinx/live_site.py prepare).")
        return
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


def _read(name: str, d: Path, descriptor: dict) -> pd.DataFrame:
    fields = descriptor["schema"]["fields"]
    dtypes = {f["name"]: _PANDAS_TYPES.get(f.get("type", "string"), "string") for f in fields}
    try:
        frame = pd.read_csv(d / f"{name}.csv", dtype=dtypes, keep_default_na=False, na_values=[""])
    except (ValueError, TypeError, pd.errors.ParserError) as err:
        raise DataValidationError(_bad_cell(name, d, fields) or f"{name}.csv: cannot be read with its schema's "
                                  f"types: {err}") from None
    for col, t in dtypes.items():
        if t == "string" and col in frame.columns:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _bad_cell(name: str, d: Path, fields: list) -> str | None:
    """Where a number column holds text that is no finite number (row and column), for the message."""
    try:
        raw = pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError):
        return None
    for f in fields:
        if f.get("type") not in ("number", "integer") or f["name"] not in raw.columns:
            continue
        for i, text in raw[f["name"]].items():
            if text == "":
                continue
            try:
                ok = math.isfinite(float(text))
            except ValueError:
                ok = False
            if not ok:
                return f"{name}.csv: row {int(i) + 2}, column '{f['name']}': {text!r} is not a finite number."
    return None


_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_POWER = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*[×x*]\s*10\^([-+]?\d+)$")
_UNIT_POWERS = {"thousand": 3, "million": 6, "billion": 9}


def _printed_matches(printed: str, value: float, unit: str | None) -> bool | None:
    """Does ``value`` agree with its printed text? None when the text is no form the gate knows."""
    t = printed.strip().lstrip("<>=≤≥~ ").replace("−", "-").replace(",", "").strip()
    if t.endswith("%"):
        t = t[:-1].strip()
    if t.startswith(".") or t.startswith("-."):
        t = t.replace(".", "0.", 1)
    try:
        return math.isclose(float(t), value, rel_tol=1e-9, abs_tol=1e-12) if re.fullmatch(r"[-+]?\d+(\.\d+)?", t) \
            else None if not t.lower() in _WORDS and not _POWER.match(t) else _other_forms(t, value, unit)
    except ValueError:
        return None


def _other_forms(t: str, value: float, unit: str | None) -> bool:
    if t.lower() in _WORDS:
        return value == _WORDS[t.lower()]
    m = _POWER.match(t)
    mantissa, power = float(m.group(1)), int(m.group(2))
    if math.isclose(mantissa * 10.0**power, value, rel_tol=1e-9):
        return True
    u = (unit or "").lower()
    return any(word in u and p == power for word, p in _UNIT_POWERS.items()) and math.isclose(mantissa, value)


def _gate(name: str, descriptor: dict, frame: pd.DataFrame) -> None:
    """The checks beside the Table Schema (see the module docstring); DataValidationError names file, row, column."""
    csv = f"{name}.csv"
    if frame.empty:
        raise DataValidationError(f"{csv}: the table has no rows; a table in data/ must hold at least one row.")
    fields = {f["name"]: f for f in descriptor["schema"]["fields"]}

    def where(i: int, col: str) -> str:
        return f"{csv}: row {int(i) + 2}, column '{col}'"

    for col, f in fields.items():
        if col not in frame.columns:
            continue
        if f.get("type") in ("number", "integer"):
            vals = frame[col].to_numpy(dtype=float, na_value=np.nan)
            bad = np.flatnonzero(np.isinf(vals) | (np.isnan(vals) & frame[col].notna().to_numpy()))
            if bad.size:
                raise DataValidationError(f"{where(bad[0], col)}: {float(vals[bad[0]])!r} is not a finite number.")
        if f.get("appraisal:percent"):
            for i, v in frame[col].items():
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    continue
                try:
                    x = float(str(v).rstrip("%"))
                except ValueError:
                    raise DataValidationError(f"{where(i, col)}: {v!r} is not a percentage.") from None
                if not (math.isfinite(x) and 0.0 <= x <= 100.0):
                    raise DataValidationError(f"{where(i, col)}: percentage {v!r} is outside 0–100.")
        if "appraisal:denominator" in f:
            den = f["appraisal:denominator"]
            for i, v in frame[col].items():
                if pd.isna(v):
                    continue
                if float(v) < 0 or not float(v).is_integer():
                    raise DataValidationError(f"{where(i, col)}: count {float(v):g} must be a whole number ≥ 0.")
                if den is not None:
                    dv = frame.at[i, den]
                    if not pd.isna(dv) and float(v) > float(dv):
                        raise DataValidationError(f"{where(i, col)}: count {float(v):g} exceeds its denominator "
                                                  f"'{den}' = {float(dv):g}.")
    if set(REPORTED_COLUMNS) <= set(frame.columns):
        for i, r in frame.iterrows():
            v, p = r["value"], r["printed"]
            if pd.isna(v) or p is None:
                continue
            ok = _printed_matches(str(p), float(v), r["unit"])
            if ok is None:
                raise DataValidationError(f"{where(i, 'printed')}: printed {p!r} (quantity {r['quantity']!r}) is no "
                                          "number form the loader can check against value (a decimal such as "
                                          "'0.58', '<0.01', '33%', a power such as '30 × 10^6', or a number word).")
            if not ok:
                raise DataValidationError(f"{where(i, 'value')}: value {v!r} disagrees with printed {p!r} "
                                          f"(quantity {r['quantity']!r}).")
            if str(r["unit"] or "").lower().startswith("percent of") and not 0.0 <= float(v) <= 100.0:
                raise DataValidationError(f"{where(i, 'value')}: {v!r} is a share ({r['unit']}) outside 0–100.")
        counts = descriptor.get("appraisal:counts", {})
        if counts:
            vals = dict(zip(frame["quantity"], frame["value"]))
            rows = {q: i for i, q in zip(frame.index, frame["quantity"])}
            for q, den in counts.items():
                if q not in vals:
                    raise DataValidationError(f"{name}.resource.json: 'appraisal:counts' names {q!r}, which {csv} lacks.")
                v = float(vals[q])
                if v < 0 or not v.is_integer():
                    raise DataValidationError(f"{where(rows[q], 'value')}: count {q!r} = {v!r} must be a whole number ≥ 0.")
                if den is not None:
                    if den not in vals:
                        raise DataValidationError(f"{name}.resource.json: 'appraisal:counts' names the denominator "
                                                  f"{den!r}, which {csv} lacks.")
                    if v > float(vals[den]):
                        raise DataValidationError(f"{where(rows[q], 'value')}: count {q!r} = {v:g} exceeds its "
                                                  f"denominator {den!r} = {float(vals[den]):g}.")


@lru_cache(maxsize=None)
def _load(name: str, directory: str, digest: str) -> pd.DataFrame:
    """Validated table; ``digest`` (SHA-256 of the CSV and the descriptor) keys the cache on content."""
    d = Path(directory)
    _validate_cached(name, d)
    return _read(name, d, describe(name, d))


def load_table(name: str, directory: Path | str | None = None) -> pd.DataFrame:
    """Load a validated table as a DataFrame (a fresh copy each call).

    In-process copies are cached by the SHA-256 of the CSV and its descriptor, so an edited
    file is re-read and re-validated even when its modification time did not change.
    """
    d = _dir(directory)
    _descriptor_path(name, d)
    return _load(name, str(d.resolve()), _content_hash(name, d)).copy()


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
    chk.text("quantity", quantity, empty=False)
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
