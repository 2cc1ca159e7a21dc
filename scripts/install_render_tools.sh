#!/usr/bin/env bash
# Tools to look at what doudi prints: LibreOffice Calc (xlsx -> PDF), CJK fonts (宋体/黑体 glyphs,
# else Chinese prints as boxes), headless Chromium (the county summary page) and poppler-utils
# (pdftoppm, pdfinfo). Used by benchmarks/render_check.py; not needed to run or test doudi.
# Idempotent: installs only what is missing; safe to run again. Needs root (or sudo) and apt.
set -euo pipefail

# fonts-crosextra-carlito: metric twin of Calibri, the workbooks' default font, whose digit width
# is Excel's column-width unit; without it LibreOffice measures columns in DejaVu Sans (a third wider)
# and shrinks every print a quarter more than Excel does.
PACKAGES=(libreoffice-calc fonts-noto-cjk fonts-crosextra-carlito chromium poppler-utils)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# PyMuPDF reads each text span's size from the PDFs (render_check's smallest printed font); into
# the Python that runs render_check ($PYTHON, default python3). Without it the sizes are estimated.
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c "import pymupdf" 2>/dev/null; then
    "$PYTHON" -m pip install -q "pymupdf<2" || echo "pymupdf not installed: render_check estimates font sizes"
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "render tools already installed: ${PACKAGES[*]}"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
echo "render tools installed: ${PACKAGES[*]}"
