"""List glued floats whose stored output carries more digits than the prose shows.

A float glued with all its digits (``glue("x", 14.262500000000012)``) is stored in the
notebook as that text; re-executed on another CPU its last digits may differ, and the
stored output changes although the page does not. For every such glue this prints the
notebook, the cell, the key, the stored text and the format(s) the prose uses, with the
fix: ``appraisal.plots.glue(key, value, digits=N)`` (or ``round(value, N)``) where N is
the number of decimals the prose shows.

Usage: ``python scripts/glue_precision.py [chapters/NAME.ipynb ...]`` (default: every chapter).
Exit code 0 always: it is a report for whoever edits the notebooks.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ROLE = re.compile(r"\{glue:(?:text)?\}`([A-Za-z0-9_]+)(?::([^`]*))?`")
_FLOAT = re.compile(r"(?:np\.float64\()?(-?\d+\.(\d+))(e-?\d+)?\)?")


def _decimals(fmt: str | None) -> int | None:
    if not fmt:
        return None
    m = re.search(r"\.(\d+)[f%]", fmt)
    if m:
        return int(m.group(1)) + (2 if fmt.endswith("%") else 0)
    return 0 if re.search(r"\.0f|d$", fmt) else None


def report(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        formats: dict[str, set[str]] = {}
        for c in nb["cells"]:
            if c["cell_type"] == "markdown":
                for key, fmt in _ROLE.findall("".join(c["source"])):
                    formats.setdefault(key, set()).add(fmt or "(as stored)")
        for i, c in enumerate(nb["cells"]):
            if c["cell_type"] != "code":
                continue
            for o in c.get("outputs", []):
                key = (o.get("metadata", {}).get("scrapbook") or {}).get("name")
                text = "".join(o.get("data", {}).get("application/papermill.record/text/plain", "")).strip()
                m = _FLOAT.fullmatch(text)
                if not key or not m or len(m.group(2)) < 6:
                    continue
                fmts = sorted(formats.get(key, {"(not in the prose)"}))
                decs = [d for d in (_decimals(f) for f in fmts) if d is not None]
                rows.append({"notebook": path.name, "cell": i, "key": key, "stored": text, "prose": ", ".join(fmts),
                             "digits": max(decs) if decs else None})
    return rows


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    rows = report(paths)
    for r in rows:
        fix = f"digits={r['digits']}" if r["digits"] is not None else "digits as shown (prose prints it unformatted)"
        print(f"{r['notebook']}\tcell {r['cell']}\t{r['key']}\tstored {r['stored']}\tprose {r['prose']}\t→ {fix}")
    print(f"{len(rows)} glued floats with unstable last digits")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
