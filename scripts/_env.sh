# Shared by scripts/build and scripts/test: make sure a virtual environment with
# requirements.txt is active. Uses the active one if there is one, else ./.venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
stamp="$VIRTUAL_ENV/.requirements.sha256"
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi
python -m ipykernel install --user --name python3 --display-name "Python 3" >/dev/null 2>&1 || true
