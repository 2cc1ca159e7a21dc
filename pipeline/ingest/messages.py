"""The Chinese sentences ingest gives users, in one place."""

from __future__ import annotations

from contracts.sources import TABLES


def where(file_name: str, sheet_name: str) -> str:
    """``文件 低保.xlsx 工作表 Sheet1`` (a CSV has no sheet)."""
    return f"文件 {file_name} 工作表 {sheet_name}" if sheet_name else f"文件 {file_name}"


def no_table(file_name: str, sheet_name: str, closest: str, missing: list[str]) -> str:
    title = TABLES[closest].title
    return (
        f"{where(file_name, sheet_name)}：表头与任何表都不匹配；"
        f"最接近 {closest}（{title}），缺少必填列：{'、'.join(missing)}"
    )


def no_header(file_name: str, sheet_name: str, scanned: int, least: int) -> str:
    return f"{where(file_name, sheet_name)}：未找到表头（前 {scanned} 行中没有一行含有至少 {least} 个已知列名）"


def empty(file_name: str, sheet_name: str = "") -> str:
    return f"{where(file_name, sheet_name)}：{'工作表' if sheet_name else '文件'}为空，没有任何数据"


def unreadable(file_name: str, form: str, error: str) -> str:
    return f"{where(file_name, '')}：无法读取为 {form} 文件（{error}）；请用 Excel 或 WPS 打开后另存为 .xlsx 再放入"


def damaged(file_name: str, form: str, error: str) -> str:
    return (
        f"{where(file_name, '')}：无法读取为 {form} 文件，文件已损坏或不完整（可能复制或下载时中断；{error}）；"
        "请重新导出，或用 Excel 或 WPS 打开后另存为 .xlsx 再放入"
    )


def no_html_table(file_name: str) -> str:
    return f"{where(file_name, '')}：是网页文件（HTML），但其中没有含数据的表格；请在系统中重新导出"


def unsupported(file_name: str, suffix: str) -> str:
    return f"{where(file_name, '')}：不支持的文件类型 {suffix or '（无扩展名）'}，只读取 .xlsx、.xls、.csv"


OTHER_HTML_TABLE = "网页中的其他表格，未含可识别的表"
HIDDEN_NO_TABLE = "隐藏工作表，未含可识别的表"
EMPTY_SHEET = "空工作表"
NOT_A_WORKSHEET = "不是数据工作表（图表或宏表）"
