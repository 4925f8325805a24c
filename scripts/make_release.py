"""Build the course release: student notebooks with checks, instructor solutions and tests.

    python scripts/make_release.py [--out _release] [chapter ...]

Writes OUT/student/<chapter>/ (hand these out or put them on a hub) and OUT/instructor/<chapter>/
(solutions, all tests including hidden ones, autograder zip), plus OUT/README.md. Uses
otter-grader (see appraisal/course/release.py for the layout and why otter).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appraisal.course import release  # noqa: E402

GUIDE = """# Course release of the MSC evidence-appraisal book

Made by `bash scripts/release` from the chapter notebooks of the repository.

- `student/<chapter>/`: hand out the whole folder (the notebook and its `tests/`). Students open the
  notebook in an environment with the book's requirements installed (`pip install -r requirements.txt`
  from the repository, which also installs the `appraisal` package and `data/`), run it from the top,
  and check each answer with the `grader.check("...")` cell below it.
- `instructor/<chapter>/`: the same notebook with solutions and model answers, every test (public and
  hidden) in `tests/`, the otter source notebook (`*-otter-source.ipynb`) and `*autograder*.zip`.
  Grade collected notebooks with `otter grade -a instructor/<chapter>/<zip> -p submissions/` (Docker)
  or one at a time with `otter run -a instructor/<chapter>/<zip> submission.ipynb` (no Docker).

Do not give students the `instructor/` folder.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "_release"), help="output folder (default: _release/)")
    ap.add_argument("chapters", nargs="*", help=f"chapters (default: all of {', '.join(release.CHAPTERS)})")
    args = ap.parse_args(argv)
    out = Path(args.out)
    written = release.build(out, chapters=args.chapters or release.CHAPTERS)
    (out / "README.md").write_text(GUIDE, encoding="utf-8")
    for chapter, paths in written.items():
        print(f"{chapter}: {paths['student'].relative_to(out)}  |  {paths['instructor'].relative_to(out)}")
    print(f"Student release: {out / 'student'}   Instructor release: {out / 'instructor'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
