# Debian packages the PDF and browser tests need: xelatex (TeX Live), pdftotext/pdftoppm, Chromium
# (and npm, when Node.js is missing, for the live site's Pyodide).
# Installs them with apt-get when missing and when we are root (as on CI); otherwise says what is missing.
# Not needed: texlive-fonts-extra (~500 MB; the book ships a small bbm.sty, book_assets/latex/) and
# xindy (the book uses makeindex: latex_use_xindy: false in _config.yml). The browser test uses this
# Chromium through Playwright (no browser download); MathJax and the widget manager are vendored.
set -euo pipefail
pkgs=(chromium texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex
      texlive-plain-generic latexmk lmodern fonts-freefont-otf poppler-utils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# npm fetches the Pyodide core once for the live site (book_assets/sphinx/live_site.py); a machine
# with Node.js already has it, otherwise Debian's npm brings Node.js too
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Not root: the PDF and browser tests will be skipped. To run them: sudo apt-get install ${missing[*]}" >&2
  fi
fi
