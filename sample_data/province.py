"""A generated province: counties generated one at a time, each renamed to a county of its own.

The generator names every county 青岚县; ``generate_county`` generates one county (its own process,
``sample_data.generate --forms csv --county-code``) under ``COUNTIES[i]``'s 6-digit code (its region
codes, and the birthplace of most of its people's IDs: two counties' people do not share ID numbers
by chance) and renames it in its CSV cells and file names (its exports only: no expected cases are computed).
A province is never generated in one process.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED_COUNTY = "青岚县"
_NAMES = "青岚 白岩 石门 云溪 松林 桃源 柳江 梅山 竹溪 兰坪 清河 望江 凤阳 龙泉 金沙 银湖 玉屏 翠屏 碧水 红岩 黄石 紫云 东川 西林 南涧 北川 安宁 永平 长乐 太和"
COUNTIES = tuple((f"{name}县", str(539921 + i)) for i, name in enumerate(_NAMES.split()))


def generate_county(folder: Path, index: int, households: int, seed: int, quarter: str = "2026Q3", extra: tuple = ()) -> Path:
    """County ``COUNTIES[index]``'s ``quarter`` files in ``folder`` (created; generated in
    ``folder``'s ``.generated`` sibling, then removed); ``extra``: more generator arguments."""
    name, code = COUNTIES[index]
    out = folder.parent / f".generated-{folder.name}"
    subprocess.run(
        [sys.executable, "-m", "sample_data.generate", "--households", str(households), "--seed", str(seed),
         "--out", str(out), "--quarters", quarter, "--forms", "csv", "--hazards", "none", "--county-code", code, "--no-rule-truth", *extra],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    folder.mkdir(parents=True)
    for path in (out / quarter).iterdir():
        data = path.read_bytes()
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            encoding, text = "gb18030", data.decode("gb18030")
        text = text.replace(GENERATED_COUNTY, name)
        (folder / path.name.replace(GENERATED_COUNTY, name)).write_bytes(text.encode(encoding))
    shutil.rmtree(out)
    return folder
