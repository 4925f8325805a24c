"""requirements.txt alone is enough to run every notebook (what Binder and CI do).

CI (``.ci/run``) creates a fresh virtual environment, installs only ``requirements.txt``
and then runs every notebook under nbval: that run is the end-to-end proof. These
cheap tests pin the same promise inside any test run, without building a second venv:

* every module imported by a chapter notebook or by the ``appraisal`` package comes
  from the standard library, from ``appraisal`` itself, or from a distribution that
  ``requirements.txt`` installs (a pinned line or one of its dependencies);
* every pinned distribution is installed at exactly the pinned version;
* Binder's files agree: ``runtime.txt`` names a Python that ``pyproject.toml`` accepts,
  and every notebook asks for the ``python3`` kernel.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(1)
def _pins() -> dict[str, str]:
    """``name -> version`` for each ``name==version`` line of requirements.txt."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)", line)
        if m:
            pins[_canon(m.group(1))] = m.group(3)
    return pins


@lru_cache(1)
def _installed_closure() -> set[str]:
    """Distributions that installing requirements.txt brings in (pins + their dependencies)."""
    todo, seen = list(_pins()) + ["appraisal"], set()
    while todo:
        name = _canon(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in reqs:
            if "extra ==" in req:  # optional extras are not installed
                continue
            dep = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)
            if dep:
                todo.append(dep.group(0))
    return seen


def _code_of_notebook(path: Path) -> str:
    nb = json.loads(path.read_text())
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line in src.splitlines():  # IPython magics and shell escapes are not Python
            lines.append("" if line.lstrip().startswith(("%", "!", "?")) else line)
        lines.append("")
    return "\n".join(lines)


def _top_level_imports(code: str, where: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError as err:  # pragma: no cover - would also fail under nbval
        pytest.fail(f"{where}: code does not parse: {err}")
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _sources() -> dict[str, str]:
    out = {str(p.relative_to(ROOT)): _code_of_notebook(p) for p in sorted((ROOT / "chapters").glob("*.ipynb"))}
    out |= {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "appraisal").rglob("*.py"))}
    return out


def test_requirements_pin_every_line():
    """Every requirement is pinned with == (Binder and CI must get the tested versions)."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-e"):
            assert "==" in line, f"requirements.txt line {line!r} is not pinned with =="
    assert "-e ." in (ROOT / "requirements.txt").read_text(), "requirements.txt must install the appraisal package"


def test_pinned_versions_are_the_installed_ones():
    wrong = []
    for name, version in _pins().items():
        try:
            got = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed (pinned {version})")
            continue
        if got != version:
            wrong.append(f"{name}: installed {got}, pinned {version}")
    assert not wrong, "the environment differs from requirements.txt:\n" + "\n".join(wrong)


def test_every_import_comes_from_requirements():
    provided = metadata.packages_distributions()
    closure = _installed_closure()
    problems = []
    for where, code in _sources().items():
        for mod in sorted(_top_level_imports(code, where)):
            if mod in sys.stdlib_module_names or mod in {"appraisal", "__future__"}:
                continue
            dists = {_canon(d) for d in provided.get(mod, [])}
            if not dists:
                problems.append(f"{where}: imports {mod!r}, which no installed distribution provides")
            elif not dists & closure:
                problems.append(f"{where}: imports {mod!r} from {sorted(dists)}, which requirements.txt "
                                "does not install: pin it there")
    assert not problems, "\n".join(problems)


def test_binder_runtime_matches_the_package():
    runtime = (ROOT / "runtime.txt").read_text().strip()
    m = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert m, f"runtime.txt={runtime!r}: Binder expects e.g. 'python-3.11'"
    want = tuple(int(x) for x in m.groups())
    floor = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert floor and want >= tuple(int(x) for x in floor.groups()), "runtime.txt is older than requires-python"


def test_notebooks_use_the_python3_kernel():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        spec = json.loads(path.read_text()).get("metadata", {}).get("kernelspec", {})
        assert spec.get("name") == "python3", (
            f"{path.name}: kernelspec {spec!r}; Binder/JupyterHub/Colab open notebooks with the kernel named "
            "there ('python3'), else a reader is asked to pick one. Fix: execute it with "
            "scripts/execute_notebook.py after that script sets nb.metadata.kernelspec.")
