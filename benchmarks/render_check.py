"""Render what doudi prints, to look at it: every workbook to PDF, the county page to PNG.

    python benchmarks/render_check.py                      # on a generated fixture database
    python benchmarks/render_check.py --db doudi.duckdb --quarter 2026Q3 [--township 城关镇]

Writes under --out (default /tmp/doudi_render): reports/, pdf/, png/.  Prints, for every PDF, its
page count and the smallest printed font size (points on paper, after the fit-to-width scaling:
the size of each text span in the PDF, read with PyMuPDF, else from ``pdftotext -bbox`` word
heights); turns one township's cover, its sieve-4 pages and page 1 of the county summary into PNG
(pdftoppm), and prints and screenshots the county HTML with headless Chromium.  Needs scripts/install_render_tools.sh (LibreOffice Calc,
Noto CJK fonts, Chromium, poppler-utils).  A script, not a test: look at the PNGs.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.policy import load_policy  # noqa: E402
from pipeline.report import write_reports  # noqa: E402
from pipeline.report.terms import COVER_SHEET, SIEVES  # noqa: E402

TOOLS = ("libreoffice", "chromium", "pdftoppm", "pdfinfo", "pdftotext")


def fixture_db(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("fixture_db", ROOT / "tests" / "report" / "fixture_db.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.make_db(path, persons_per_township=160, cases_per_township=90)


def run(cmd: list[str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout)


def pages(pdf: Path) -> int:
    for line in run(["pdfinfo", str(pdf)]).stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise RuntimeError(f"pdfinfo: no page count for {pdf}")


def font_sizes(pdf: Path) -> list[tuple[float, int, str]]:
    """(size in points, page, text) of every text span printed, smallest first."""
    try:
        import pymupdf
    except ImportError:
        return _bbox_sizes(pdf)
    out = []
    with pymupdf.open(pdf) as doc:
        for number, page in enumerate(doc, start=1):
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        if span["text"].strip():
                            out.append((round(span["size"], 1), number, span["text"].strip()))
    return sorted(out)


# pdftotext's word box is the font's ascent to descent: 1.3 em for Noto Sans CJK (the fonts
# install_render_tools.sh installs), measured against PyMuPDF on the same PDF.
BOX_EM = 1.3


def _bbox_sizes(pdf: Path) -> list[tuple[float, int, str]]:
    """Without PyMuPDF: the height of each word's box over ``BOX_EM`` (about the font size)."""
    import re

    html = run(["pdftotext", "-bbox", str(pdf), "-"]).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            out.append((round((float(m.group(2)) - float(m.group(1))) / BOX_EM, 1), page, m.group(3)))
    return sorted(out)


def smallest(pdf: Path) -> str:
    sizes = font_sizes(pdf)
    if not sizes:
        return "—"
    size, page, text = sizes[0]
    return f"{size:.1f} pt（第 {page} 页“{text[:12]}”）"


def split_pages(pdf: Path) -> int:
    """Pages of a case list whose last columns went to another page: 核查结果 printed without the
    问题编号 of its row (0 when the print area fits the paper's width)."""
    n = 0
    for p in range(1, pages(pdf) + 1):
        text = run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", str(pdf), "-"]).stdout
        n += "核查结果" in text and "问题编号" not in text
    return n


def to_pdf(workbooks: list[Path], out: Path, profile: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    run(
        ["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, workbooks)],
        timeout=600,
    )
    return [out / (w.stem + ".pdf") for w in workbooks]


def pages_of_sheet(pdf: Path, sheet: str) -> list[int]:
    """Pages printed from ``sheet``: each page's footer ends with its sheet name (``&A``)."""
    found = []
    for p in range(1, pages(pdf) + 1):
        text = run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", str(pdf), "-"]).stdout
        tail = [line.strip() for line in text.splitlines() if line.strip()][-1:]
        if tail and tail[0].endswith(sheet):
            found.append(p)
    return found


def to_png(pdf: Path, page: int, out: Path, dpi: int = 110) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(out)])
    return out.with_suffix(".png")


def chromium(html: Path, png: Path, pdf: Path, width: int = 1280, height: int = 4200) -> None:
    with tempfile.TemporaryDirectory() as profile:
        common = [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        ]
        run([*common, f"--screenshot={png}", f"--window-size={width},{height}", "--hide-scrollbars", html.as_uri()])
        run([*common, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri()])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="DuckDB file (default: generate a fixture database)")
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--township", help="township whose sieve-4 pages become PNG (default: the first)")
    ap.add_argument("--policy", type=Path, help="policy TOML (default: the shipped one)")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "doudi_render")
    args = ap.parse_args()

    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        print(f"缺少工具：{', '.join(missing)}。请先运行 scripts/install_render_tools.sh", file=sys.stderr)
        return 2
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    db = args.db or fixture_db(out / "fixture.duckdb")

    t0 = time.perf_counter()
    written = write_reports(db, args.quarter, out / "reports", load_policy(args.policy))
    t_write = time.perf_counter() - t0
    workbooks = [p for p in written if p.suffix == ".xlsx"]
    print(f"写出 {len(written)} 个文件，用时 {t_write:.1f} 秒（数据库 {db}）")

    t0 = time.perf_counter()
    pdfs = []
    root = out / "reports" / args.quarter
    for folder in sorted({w.parent for w in workbooks}):  # one folder per county in province mode
        pdfs += to_pdf([w for w in workbooks if w.parent == folder], out / "pdf" / folder.relative_to(root), out / "lo_profile")
    print(f"LibreOffice 转 PDF 用时 {time.perf_counter() - t0:.1f} 秒")
    print(f"{'文件':<44} 页数  最小字号  列被拆到另一页的页数")
    for pdf in pdfs:
        print(f"{str(pdf.relative_to(out / 'pdf')):<44} {pages(pdf):>4}  {smallest(pdf)}  {split_pages(pdf)}")

    townships = [w for w in workbooks if w.name.endswith("_九过筛子清单.xlsx")]
    if not townships:
        print("没有乡镇清单。")
        return 1
    target = next((w for w in townships if args.township and f"_{args.township}_" in w.name), townships[0])
    pdf = out / "pdf" / target.parent.relative_to(root) / (target.stem + ".pdf")
    sieve4 = SIEVES[4].sheet
    sieve4_pages = pages_of_sheet(pdf, sieve4)
    print(f"{target.stem}：{sieve4} 在第 {sieve4_pages} 页；封面在第 {pages_of_sheet(pdf, COVER_SHEET)} 页")
    pngs = [to_png(pdf, p, out / "png" / f"{target.stem}_sieve4_p{p}") for p in sieve4_pages[:2]]
    pngs.append(to_png(pdf, 1, out / "png" / f"{target.stem}_cover"))
    summary_pdf = next(p for p in pdfs if p.name.endswith("_县汇总.pdf"))
    summary_html = summary_pdf.parent.relative_to(out / "pdf")
    summary_html = root / summary_html / (summary_pdf.stem + ".html")
    pngs.append(to_png(summary_pdf, 1, out / "png" / f"{summary_pdf.stem}_p1"))

    html_png, html_pdf = out / "png" / "summary_html.png", out / "pdf" / "summary_html.pdf"
    chromium(summary_html, html_png, html_pdf)
    pngs.append(html_png)
    print(
        f"县汇总 HTML 打印为 PDF：{pages(html_pdf)} 页（A4 横向），最小字号 {smallest(html_pdf)}；"
        f"大小 {summary_html.stat().st_size // 1024} KB"
    )
    print(f"{target.stem} 第 1 页：")
    print("\n".join("  " + line for line in run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"]).stdout.splitlines() if line.strip()))
    print("PNG：")
    for p in pngs:
        print(f"  {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
