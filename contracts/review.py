"""Pandera contract of ``link_decisions``: a person's answer on a doubtful record pair.

History like ``case_feedback``: a rerun of a quarter never deletes it; importing a review workbook
again replaces the decisions on the pairs it answers. The two records are stored by what
identifies them across quarters (``pipeline/review/keys.py``), not by ``record_id``.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl



def col(dtype, description: str, nullable: bool = True, **kw) -> pa.Column:
    return pa.Column(dtype, nullable=nullable, description=description, **kw)

DECISION_VALUES = ["同一人", "不是同一人", "无法判断"]


def _side(s: str, word: str) -> dict[str, pa.Column]:
    return {
        f"source_table_{s}": col(pl.Utf8, f"{word}的来源表（逻辑名）", nullable=False),
        f"id_number_{s}": col(pl.Utf8, f"{word}的身份证号（规范化后的18位；无法恢复时为空）"),
        f"id_prefix_{s}": col(pl.Utf8, f"{word}的身份证号已知前缀（Excel 损坏后保留的数字）"),
        f"name_{s}": col(pl.Utf8, f"{word}的姓名（规范化）", nullable=False),
        f"village_{s}": col(pl.Utf8, f"{word}的村"),
    }


LinkDecisions = pa.DataFrameSchema(
    {
        "pair_key": col(pl.Utf8, "记录对键：两条记录识别键按顺序连接（同一对记录跨季度不变）", nullable=False, unique=True),
        "decision": col(pl.Utf8, "判断：同一人 / 不是同一人 / 无法判断", nullable=False, checks=pa.Check.isin(DECISION_VALUES)),
        "decided_by": col(pl.Utf8, "判断人"),
        "decided_at": col(pl.Datetime("us"), "判断时间（导入时间）", nullable=False),
        "remark": col(pl.Utf8, "备注"),
        "exported_quarter": col(pl.Utf8, "导出该记录对的季度（仅供查对：判断对以后各季度都生效）", nullable=False, checks=pa.Check.str_matches(r"^\d{4}Q[1-4]$")),
        **_side("l", "记录一"),
        **_side("r", "记录二"),
        "source_file": col(pl.Utf8, "来源文件名", nullable=False),
        "source_sheet": col(pl.Utf8, "来源工作表名", nullable=False),
        "source_row": col(pl.Int64, "来源行号（Excel 中看到的行号）", nullable=False),
    },
    name="link_decisions",
    title="人工判断：疑似同一人的记录对是否同一人（同一人 / 不是同一人 / 无法判断），按跨季度识别键保存；重跑季度不删除，下次运行起生效",
)
