"""The package has two layers: methods (named by idea) and studies (one module per source).

Methods never import a study module; each study module is named like its tables in ``data/``.
The check reads the import statements (``ast``), so it fails on a new import of a study
from a method module however it is spelled (absolute, relative, or ``from appraisal import studies``).
"""

import ast
from pathlib import Path

import pytest

from appraisal import data

PKG = Path(__file__).resolve().parents[1] / "appraisal"
STUDIES = PKG / "studies"
METHOD_FILES = sorted(p for p in PKG.rglob("*.py") if STUDIES not in p.parents)
STUDY_FILES = sorted(p for p in STUDIES.glob("*.py") if p.name != "__init__.py")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module that ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def test_there_are_both_layers():
    assert len(METHOD_FILES) > 10 and len(STUDY_FILES) >= 5


@pytest.mark.parametrize("path", METHOD_FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_method_modules_never_import_studies(path):
    bad = sorted(m for m in imported_modules(path) if m == "appraisal.studies" or m.startswith("appraisal.studies."))
    assert not bad, f"{path.relative_to(PKG)} is a method module but imports {bad}"


def test_the_layer_check_can_fail(tmp_path):
    fake = PKG / "_layer_probe_tmp.py"
    try:
        fake.write_text("from .studies import petrou2021\n", encoding="utf-8")
        assert "appraisal.studies.petrou2021" in imported_modules(fake)
    finally:
        fake.unlink()


def test_study_modules_are_named_like_their_tables():
    tables = {p.name.split(".")[0] for p in data.data_dir().glob("*.csv")}
    for path in STUDY_FILES:
        stem = path.stem
        assert any(t == stem or t.startswith(stem + "_") for t in tables), (
            f"appraisal/studies/{path.name}: no data table named {stem}_*.csv")
