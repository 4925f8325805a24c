# Debian packages the PDF and browser tests need: xelatex (TeX Live), pdftotext/pdftoppm, Chromium.
# Installs them with apt-get when missing and when we are root (as on CI); otherwise says what is missing.
set -euo pipefail
pkgs=(chromium texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex
      texlive-plain-generic latexmk lmodern fonts-freefont-otf poppler-utils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Not root: the PDF and browser tests will be skipped. To run them: sudo apt-get install ${missing[*]}" >&2
  fi
fi
