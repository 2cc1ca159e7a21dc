"""Pandera contracts for the DuckDB tables a run writes (../shared/spec/outputs.md).

Each column carries its Chinese description: ``pipeline/store.py`` creates the tables from these
schemas and writes the descriptions as DuckDB ``COMMENT``s, so the contract, the DDL and the
analyst's documentation are one declaration.  Table and column names are contracts: other
people's SQL depends on them.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.review import LinkDecisions


def dtypes(schema: pa.DataFrameSchema, drop: tuple[str, ...] = ()) -> dict[str, pl.DataType]:
    """column -> polars dtype of an output contract (for code that builds or reads its frames)."""
    return {name: c.dtype.type for name, c in schema.columns.items() if name not in drop}


def col(dtype, description: str, nullable: bool = True, **kw) -> pa.Column:
    return pa.Column(dtype, nullable=nullable, description=description, **kw)


# A row's raw cells (JSON), one long text each and rarely read: stored in DuckDB with zstd instead
# of the dictionary/FSST compression DuckDB picks after trying every method on every segment.
# 1,161,513 source_records (200,000 households): the column 128 MB -> 34 MB, its insert about
# twice as fast (docs/decisions.md, "Database").
STORED_ZSTD = {"compression": "zstd"}


def raw_values(description: str) -> pa.Column:
    return col(pl.Utf8, description, metadata=STORED_ZSTD)


QUARTER = col(pl.Utf8, "季度，如 2026Q3", nullable=False, checks=pa.Check.str_matches(r"^\d{4}Q[1-4]$"))

SourceRecords = pa.DataFrameSchema(
    {
        "quarter": QUARTER,
        "record_id": col(pl.Int64, "记录编号（本季度内唯一）", nullable=False, unique=True),
        "source_table": col(pl.Utf8, "来源表（逻辑名：dibao 低保、fupin 防返贫监测 ...）", nullable=False),
        "file_name": col(pl.Utf8, "来源文件名", nullable=False),
        "sheet_name": col(pl.Utf8, "来源工作表名（CSV 为空）", nullable=False),
        "row_number": col(pl.Int64, "来源行号（Excel 中看到的行号，或文本编辑器中的行号）", nullable=False),
        "person_key": col(pl.Utf8, "人员键（识别后的同一人）"),
        "id_number_raw": col(pl.Utf8, "身份证号（原始）"),
        "id_number": col(pl.Utf8, "身份证号（规范化后的18位；无法恢复时为空）"),
        "id_valid": col(pl.Boolean, "身份证号是否有效（校验位、出生日期、地区码）"),
        "id_issue": col(pl.Utf8, "身份证号问题说明"),
        "id_prefix": col(pl.Utf8, "身份证号已知前缀（末位丢失时保留的数字）"),
        "name_raw": col(pl.Utf8, "姓名（原始）"),
        "name": col(pl.Utf8, "姓名（规范化：简体、去空格和分隔符）"),
        "name_display": col(pl.Utf8, "姓名（显示用：简体，分隔符统一为·）"),
        "gender": col(pl.Utf8, "性别（由身份证号得出）"),
        "birth_date": col(pl.Date, "出生日期（由身份证号得出）"),
        "region_code": col(pl.Utf8, "区划代码（12位）"),
        "county": col(pl.Utf8, "县（市、区）"),
        "township": col(pl.Utf8, "乡镇（街道）"),
        "village": col(pl.Utf8, "村（社区）"),
        "household_key": col(pl.Utf8, "家庭键（dibao:户主身份证号 或 fupin:户编号）"),
        "relation": col(pl.Utf8, "与户主关系"),
        "match_method": col(pl.Utf8, "识别方法（为何认定为该人员）"),
        "match_score": col(pl.Float64, "识别得分（0-1）"),
        "raw_values": raw_values("原始行内容（JSON：原表头 -> 单元格文字，含未识别的列）"),
    },
    name="source_records",
    title="来源记录：每个被采用的输入数据行一行",
)

Persons = pa.DataFrameSchema(
    {
        "quarter": QUARTER,
        "person_key": col(pl.Utf8, "人员键", nullable=False),
        "id_number": col(pl.Utf8, "身份证号（有效的18位，或空）"),
        "name": col(pl.Utf8, "姓名"),
        "gender": col(pl.Utf8, "性别"),
        "birth_date": col(pl.Date, "出生日期"),
        "county": col(pl.Utf8, "县（按 residence_precedence 选定的居住地）"),
        "township": col(pl.Utf8, "乡镇（按 residence_precedence 选定的居住地）"),
        "village": col(pl.Utf8, "村（按 residence_precedence 选定的居住地）"),
        "n_records": col(pl.Int64, "来源记录数"),
        "source_tables": col(pl.Utf8, "出现在哪些来源表（逗号分隔）"),
    },
    name="persons",
    title="人员：识别后的每个人一行",
)

MatchReview = pa.DataFrameSchema(
    {
        "quarter": QUARTER,
        "record_id_l": col(pl.Int64, "记录一的编号", nullable=False),
        "record_id_r": col(pl.Int64, "记录二的编号", nullable=False),
        "score": col(pl.Float64, "相似得分"),
        "reasons": col(pl.Utf8, "疑似同一人的依据与疑点，供人工判断"),
    },
    name="match_review",
    title="疑似同一人：待人工核实的记录对",
)

RejectedRows = pa.DataFrameSchema(
    {
        "quarter": QUARTER,
        "file_name": col(pl.Utf8, "文件名", nullable=False),
        "sheet_name": col(pl.Utf8, "工作表名（CSV 为空）", nullable=False),
        "row_number": col(pl.Int64, "行号（Excel 或文本编辑器中看到的行号）；整个文件或工作表未采用时为空"),
        "source_table": col(pl.Utf8, "识别出的来源表（文件无法识别时为空）"),
        "reason": col(pl.Utf8, "未采用的原因", nullable=False),
        "raw_values": raw_values("原始行内容（JSON）"),
    },
    name="rejected_rows",
    title="未采用的输入行及原因",
)

Runs = pa.DataFrameSchema(
    {
        "run_id": col(pl.Utf8, "运行编号", nullable=False),
        "quarter": QUARTER,
        "status": col(
            pl.Utf8,
            "状态：running 运行中 / succeeded 成功 / reports_incomplete 报表未全部写出 / failed 失败 / interrupted 被中断",
            nullable=False,
            checks=pa.Check.isin(["running", "succeeded", "reports_incomplete", "failed", "interrupted"]),
        ),
        "started_at": col(pl.Datetime("us"), "开始时间", nullable=False),
        "finished_at": col(pl.Datetime("us"), "结束时间"),
        "input_dir": col(pl.Utf8, "输入目录"),
        "files": col(pl.Utf8, "输入文件（JSON：文件名、SHA-256、工作表、表、行数、采用、未采用）"),
        "policy_path": col(pl.Utf8, "政策文件路径"),
        "policy": col(pl.Utf8, "所用政策参数（JSON）"),
        "policy_sha256": col(pl.Utf8, "政策参数的 SHA-256"),
        "code_version": col(pl.Utf8, "程序版本"),
        "counts": col(pl.Utf8, "各表行数（JSON）"),
        "stage_seconds": col(pl.Utf8, "各阶段耗时（秒，JSON）"),
        "completeness": col(
            pl.Utf8,
            "完整性（JSON）：missing_tables 缺少的表、not_exported 声明不导出的表、unscreened_rules 未筛查的规则、"
            "volume_drops 采用行数比上季度减少三分之一以上的表",
        ),
        "link_settings": col(pl.Utf8, "人员识别所用设置（JSON：比较层级、权重、阈值）"),
        "link_counts": col(pl.Utf8, "人员识别计数（JSON：记录、候选对、链接、拆分、待人工确认、人员）"),
        "error": col(pl.Utf8, "失败原因"),
    },
    name="runs",
    title="运行记录：每次运行一行",
)

RunFiles = pa.DataFrameSchema(
    {
        "run_id": col(pl.Utf8, "运行编号", nullable=False),
        "quarter": QUARTER,
        "file_name": col(pl.Utf8, "文件名", nullable=False),
        "sheet_name": col(pl.Utf8, "工作表名", nullable=False),
        "sha256": col(pl.Utf8, "文件 SHA-256"),
        "form": col(pl.Utf8, "文件格式（xlsx / xls / csv / html（网页表格另存的 .xls）/ other 无法识别）"),
        "source_table": col(pl.Utf8, "识别出的来源表"),
        "header_row": col(pl.Int64, "表头所在行"),
        "data_rows": col(pl.Int64, "数据行数（= 采用 + 未采用）", nullable=False),
        "accepted_rows": col(pl.Int64, "采用行数（source_records）", nullable=False),
        "rejected_rows": col(pl.Int64, "未采用行数（rejected_rows）", nullable=False),
        "title_rows": col(pl.Int64, "表头上方的标题行数"),
        "blank_rows": col(pl.Int64, "跳过的空行数"),
        "footer_rows": col(pl.Int64, "表尾（合计、制表人等）行数"),
        "message": col(pl.Utf8, "文件或工作表级别的问题说明"),
    },
    name="run_files",
    title="运行的输入文件明细：每个文件的每个工作表一行，行数可核对",
)


_CASE_COLUMNS = {
    "quarter": QUARTER,
    "case_id": col(pl.Utf8, "问题编号（同一规则、同一人员跨季度不变）", nullable=False),
    "rule_code": col(pl.Utf8, "规则代码（rules.md，如 S7-1）", nullable=False),
    "rule_name": col(pl.Utf8, "规则名称"),
    "kind": col(pl.Utf8, "类别：missed 应纳未纳 / exit 应退 / review 待核实", nullable=False, checks=pa.Check.isin(["missed", "exit", "review"])),
    "sieve": col(pl.Int64, "第几道筛子（1-8）", nullable=False, checks=pa.Check.in_range(1, 8)),
    "person_key": col(pl.Utf8, "人员键", nullable=False),
    "id_number": col(pl.Utf8, "身份证号"),
    "name": col(pl.Utf8, "姓名"),
    "county": col(pl.Utf8, "县"),
    "township": col(pl.Utf8, "乡镇"),
    "village": col(pl.Utf8, "村"),
    "detail": col(pl.Utf8, "问题详情（含数字）", nullable=False),
    "amount": col(pl.Float64, "涉及金额（元），如死亡后发放合计；无则为空"),
    "evidence": col(pl.Utf8, "依据：所用每条记录的来源文件、工作表和行号"),
}

CHECK_RESULTS = ["属实", "不属实", "部分属实"]

# What the township answered last time (case_feedback of an earlier quarter), carried onto a case.
_CARRIED_FEEDBACK = {
    "feedback_quarter": col(pl.Utf8, "最近一次乡镇反馈所属季度（哪一季度的清单）；无反馈为空"),
    "last_check_result": col(pl.Utf8, "最近一次核查结果：属实 / 不属实 / 部分属实", checks=pa.Check.isin(CHECK_RESULTS)),
    "last_rectification": col(pl.Utf8, "最近一次填写的整改措施"),
    "last_closed_date": col(pl.Date, "最近一次填写的销号日期"),
    "last_remark": col(pl.Utf8, "最近一次反馈的备注或不属实理由"),
    "false_report": col(pl.Boolean, "乡镇最近一次核实为不属实（另列“核实不属实”，见 disputed_cases）"),
    "rectification_failed": col(pl.Boolean, "整改未到位：乡镇已报整改或已销号，本季度再次发现"),
}

# The townships' last answer carried onto a case (pipeline/feedback); absent from older files.
FEEDBACK_COLUMNS = (
    "feedback_quarter",
    "last_check_result",
    "last_rectification",
    "last_closed_date",
    "last_remark",
    "false_report",
    "rectification_failed",
)

Cases = pa.DataFrameSchema(
    {
        **_CASE_COLUMNS,
        "record_ids": col(pl.List(pl.Int64), "所用记录编号（source_records.record_id）"),
        "first_seen_quarter": col(pl.Utf8, "首次发现季度", nullable=False),
        "status": col(pl.Utf8, "状态：新增 / 延续", nullable=False, checks=pa.Check.isin(["新增", "延续"])),
        "not_rechecked": col(
            pl.Boolean, "本季未复核：规则所读的表本季未导出，上季度的问题原样延续（不销号）", nullable=False
        ),
        **_CARRIED_FEEDBACK,
    },
    name="cases",
    title="筛查发现的问题：每个规则、每个人员一行",
)

ResolvedCases = pa.DataFrameSchema(
    {
        **_CASE_COLUMNS,
        "first_seen_quarter": col(pl.Utf8, "首次发现季度"),
        "last_seen_quarter": col(pl.Utf8, "最后一次发现的季度"),
        "resolved_quarter": col(pl.Utf8, "销号季度"),
        "status": col(pl.Utf8, "状态：销号"),
    },
    name="resolved_cases",
    title="销号：上季度的问题本季度未再发现",
)

OverlapRates = pa.DataFrameSchema(
    {
        "quarter": QUARTER,
        "level": col(pl.Utf8, "层级：县 / 乡镇 / 村", nullable=False, checks=pa.Check.isin(["县", "乡镇", "村"])),
        "county": col(pl.Utf8, "县"),
        "township": col(pl.Utf8, "乡镇（层级为县时为空）"),
        "village": col(pl.Utf8, "村（层级为村时有值）"),
        "unit": col(pl.Utf8, "单位名称（该层级的县、乡镇或村名）", nullable=False),
        "pair": col(pl.Utf8, "比对对象，如 低保 x 防返贫", nullable=False),
        "measure": col(pl.Utf8, "口径：persons 人数 / households 户数", nullable=False, checks=pa.Check.isin(["persons", "households"])),
        "left_count": col(pl.Int64, "左侧对象数"),
        "right_count": col(pl.Int64, "右侧对象数"),
        "overlap_count": col(pl.Int64, "两者重合数"),
        "left_rate": col(pl.Float64, "重合数占左侧比例（0-1）"),
        "right_rate": col(pl.Float64, "重合数占右侧比例（0-1）"),
    },
    name="overlap_rates",
    title="重合率：季度 x 层级 x 单位 x 比对对象 x 口径",
)

_ids = lambda what: col(pl.List(pl.Int64), f"{what}的记录编号")  # noqa: E731

PersonFacts = pa.DataFrameSchema(
    {
        "quarter": QUARTER,
        "person_key": col(pl.Utf8, "人员键（本季度内唯一）", nullable=False, unique=True),
        "id_number": col(pl.Utf8, "身份证号"),
        "name": col(pl.Utf8, "姓名"),
        "birth_date": col(pl.Date, "出生日期"),
        "age": col(pl.Int64, "基准日（季末）周岁"),
        "is_dead": col(pl.Boolean, "基准日前已死亡"),
        "death_date": col(pl.Date, "死亡日期"),
        "death_record_ids": _ids("死亡登记"),
        "in_dibao": col(pl.Boolean, "在保低保"),
        "dibao_record_ids": _ids("在保低保"),
        "dibao_category": col(pl.Utf8, "分类施保类别"),
        "in_tekun": col(pl.Boolean, "在保特困"),
        "tekun_record_ids": _ids("在保特困"),
        "in_ertong": col(pl.Boolean, "在保孤儿/事实无人抚养儿童"),
        "ertong_record_ids": _ids("在保孤儿/事实无人抚养儿童"),
        "in_force_record_ids": _ids("所有在保名册"),
        "in_force_rosters": col(pl.List(pl.Utf8), "在保的名册"),
        "in_registry": col(pl.Boolean, "在防返贫监测系统"),
        "registry_household": col(pl.Utf8, "防返贫监测户编号"),
        "is_three_groups": col(pl.Boolean, "三类对象"),
        "has_labour": col(pl.Boolean, "有劳动能力（劳动技能）"),
        "registry_record_ids": _ids("防返贫监测"),
        "has_certificate": col(pl.Boolean, "持有效残疾人证"),
        "certificate_record_ids": _ids("残疾人证"),
        "is_severe": col(pl.Boolean, "重残（一、二级有效证）"),
        "severe_record_ids": _ids("重残"),
        "is_major_ill": col(pl.Boolean, "重病（12个月内重特大疾病或患有大病）"),
        "illness_record_ids": _ids("重病"),
        "is_insured": col(pl.Boolean, "本年度参保"),
        "is_aided_insurance": col(pl.Boolean, "资助参保（资助金额>0）"),
        "insured_record_ids": _ids("参保"),
        "dibao_household": col(pl.Utf8, "低保户主身份证号"),
        "has_living_subsidy": col(pl.Boolean, "享受困难残疾人生活补贴"),
        "has_care_subsidy": col(pl.Boolean, "享受重度残疾人护理补贴"),
    },
    name="person_facts",
    title="人员事实：每人每季度一行，规则共用的派生事实",
)

CaseFeedback = pa.DataFrameSchema(
    {
        "quarter": col(pl.Utf8, "反馈所属季度（乡镇清单的季度）", nullable=False, checks=pa.Check.str_matches(r"^\d{4}Q[1-4]$")),
        "case_id": col(pl.Utf8, "问题编号（cases.case_id）", nullable=False),
        "rule_code": col(pl.Utf8, "规则代码"),
        "township": col(pl.Utf8, "乡镇"),
        "check_result": col(pl.Utf8, "核查结果：属实 / 不属实 / 部分属实（未填为空）", checks=pa.Check.isin(CHECK_RESULTS)),
        "rectification": col(pl.Utf8, "整改措施"),
        "deadline": col(pl.Date, "整改时限（日期）"),
        "deadline_note": col(pl.Utf8, "整改时限（文字，如 长期坚持、立行立改）"),
        "responsible": col(pl.Utf8, "责任人"),
        "closed_date": col(pl.Date, "销号日期"),
        "remark": col(pl.Utf8, "备注（含核查结果单元格中答案之后写的理由）"),
        "rectified": col(pl.Boolean, "乡镇表示已整改：填了销号日期，或整改措施、核查结果写明已整改", nullable=False),
        "source_file": col(pl.Utf8, "来源文件名", nullable=False),
        "source_sheet": col(pl.Utf8, "来源工作表名", nullable=False),
        "source_row": col(pl.Int64, "来源行号（Excel 中看到的行号）", nullable=False),
        "imported_at": col(pl.Datetime("us"), "导入时间", nullable=False),
    },
    name="case_feedback",
    title="乡镇反馈：乡镇填写的整改台账（核查结果、整改措施、整改时限、责任人、销号日期），每个季度的清单、每个问题一行（重新导入时替换该问题的反馈）；重跑季度不删除",
)

OUTPUT_CONTRACTS: dict[str, pa.DataFrameSchema] = {
    s.name: s
    for s in (
        SourceRecords,
        Persons,
        MatchReview,
        RejectedRows,
        Runs,
        RunFiles,
        Cases,
        ResolvedCases,
        OverlapRates,
        PersonFacts,
        CaseFeedback,
        LinkDecisions,
    )
}
