"""A small DuckDB file shaped like a real run's output, for the report tests and render check.

``make_db(path)`` writes the tables the reports read (cases, overlap_rates, persons,
person_facts, runs) for two quarters, with exactly the columns of the contract.  Everything is
drawn from a seeded random generator: the same arguments give the same file.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

RULES = [
    ("S1-1", 1, "missed", "三类对象重残重病未纳入低保（单人户施保）"),
    ("S1-2", 1, "missed", "低收入家庭重度残疾人未纳入低保（单人户施保）"),
    ("S1-3", 1, "review", "低收入家庭重病人员整户施保核查"),
    ("S1-4", 1, "review", "单人户施保不精准"),
    ("S2-1", 2, "missed", "三类对象家庭应保未保"),
    ("S2-2", 2, "missed", "无劳动能力三类对象应养未养"),
    ("S2-3", 2, "missed", "大额医疗支出应救未救"),
    ("Y-1", 2, "missed", "救助对象应参未参（医保）"),
    ("Y-2", 2, "review", "资助参保金额不足"),
    ("Y-3", 2, "review", "医疗救助金额不足"),
    ("Y-4", 2, "missed", "支出型困难家庭应保未保"),
    ("S3-1", 3, "exit", "孤儿/事实无人抚养儿童超龄未退"),
    ("S3-2", 3, "missed", "疑似孤儿或事实无人抚养儿童未纳入"),
    ("S3-3", 3, "review", "儿童保障金额低于标准"),
    ("S4-1", 4, "missed", "困难残疾人生活补贴应补未补"),
    ("S4-2", 4, "missed", "重度残疾人护理补贴应补未补"),
    ("S4-3", 4, "review", "两项补贴标准不符"),
    ("S4-4", 4, "exit", "两项补贴应退未退"),
    ("S4-5", 4, "review", "人证不符"),
    ("S4-6", 4, "review", "无证残疾（转残联办证）"),
    ("S5-1", 5, "missed", "经济困难老年人补贴应补未补"),
    ("S5-2", 5, "missed", "高龄津贴应补未补"),
    ("S6-1", 6, "review", "分散供养特困人员无照料人或未签照料协议"),
    ("S6-2", 6, "review", "乡镇未按月探访分散供养特困人员"),
    ("S6-3", 6, "review", "村未按周探访分散供养特困人员"),
    ("S6-4", 6, "review", "全失能分散供养特困人员集中供养核查"),
    ("S7-1", 7, "exit", "死亡未退"),
    ("S7-2", 7, "exit", "低保家庭收入超标"),
    ("S7-3", 7, "exit", "渐退期满未退出"),
    ("S7-4", 7, "exit", "重复享受低保、特困"),
    ("S7-5", 7, "review", "防返贫系统与民政名册信息不一致"),
    ("S8-1", 8, "review", "应发未发"),
    ("S8-2", 8, "review", "发放金额与名册不符"),
    ("S8-3", 8, "exit", "死亡后仍发放（应追回）"),
    ("S8-4", 8, "review", "无名册发放"),
    ("S8-5", 8, "review", "重复发放"),
]
DETAILS = {
    1: "持{grade}{cat}残疾证（证号尾号{tail}），所在防返贫监测户人均纯收入{income}元，未在低保、特困名册中",
    2: "防返贫监测户人均纯收入{income}元，低于低保年标准7200元；家庭成员均未享受低保或特困",
    3: "{age}周岁，孤儿和事实无人抚养儿童花名册在保，月保障金额{amount}元",
    4: "持{grade}{cat}残疾证，低保{dibao}家庭成员，残疾人两项补贴名册中无生活补贴；按标准应发{amount}元/月",
    5: "{age}周岁，低保在保，老年人补贴名册中无在保的经济困难老年人补贴",
    6: "分散供养特困人员，本季度{month}月无乡镇探访记录，第{week}周无村级探访记录",
    7: "死亡（火化）登记死亡日期{death}，低保名册仍为在保，户月保障金额{amount}元",
    8: "{month}月发放{amount}元，名册金额{roster}元，相差{diff}元",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉珍明华建国军平志强永红芳丽春梅海燕国庆德富贵文武成勇秋菊翠花小龙福生金凤凤英玉兰"
SPECIAL = ["阿·木呷", "吉克·阿依", "买买提·艾力", "欧阳秀兰", "司马长风"]
CATS = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]
QUARTER = "2026Q3"  # the quarter the tests report on
# as sql/marts/overlap_rates.sql names them
PAIRS = ["低保 x 防返贫", "特困 x 防返贫", "持证残疾人 x 低保", "重残 x (低保 or 特困)", "三类对象 x 医保参保"]


def id_check(first17: str) -> str:
    from pipeline.normalise.ids import check_character

    return check_character(first17)


def make_id(rng: random.Random, region: str, birth: date) -> str:
    body = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_check(body)


def _name(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return rng.choice(SPECIAL)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _people(rng: random.Random, county: str, townships: list[str], persons_per_township: int, ref: date) -> list[dict]:
    people = []
    for ti, township in enumerate(townships):
        villages = [f"{v}村" for v in rng.sample(["红星", "团结", "和平", "新民", "光明", "东风", "向阳", "丰收", "石门", "大坪", "小河", "青龙"], 4)]
        n = 0
        hh = 0
        while n < persons_per_township:
            hh += 1
            village = rng.choice(villages)
            size = rng.randint(1, 4)
            fupin = f"5303811{ti:02d}{hh:05d}" if rng.random() < 0.7 else None
            head_id = None
            for m in range(size):
                birth = date(rng.randint(1935, 2020), rng.randint(1, 12), rng.randint(1, 28))
                pid = make_id(rng, "530381", birth)
                head_id = head_id or pid
                people.append(
                    {
                        "person_key": pid,
                        "id_number": pid,
                        "name": _name(rng),
                        "gender": "男" if int(pid[16]) % 2 else "女",
                        "birth_date": birth,
                        "county": county,
                        "township": township,
                        "village": village,
                        "age": ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day)),
                        "registry_household": fupin,
                        "head_id": head_id,
                        "household_size": size,
                    }
                )
                n += 1
    return people


def _detail(rng: random.Random, sieve: int, p: dict) -> tuple[str, float | None]:
    amount = None
    values = {
        "grade": rng.choice(["一级", "二级"]),
        "cat": rng.choice(CATS),
        "tail": f"{rng.randint(0, 99):02d}",
        "income": rng.randint(3000, 12000),
        "age": p["age"],
        "dibao": rng.choice(["一类", "二类", "三类"]),
        "month": rng.randint(7, 9),
        "week": rng.randint(1, 13),
        "death": f"2026-0{rng.randint(7, 9)}-{rng.randint(10, 28)}",
        "amount": rng.choice([100, 50, 10, 1400, 600, 1200]),
        "roster": 600,
        "diff": 0,
    }
    if sieve == 8:
        paid = rng.choice([480.0, 720.0, 1200.5, 600.0])
        values.update(amount=paid, diff=round(paid - 600, 2))
        amount = paid
    elif sieve in (4, 7):
        amount = float(values["amount"])
    return DETAILS[sieve].format(**values), amount


def _cases(rng: random.Random, quarter: str, people: list[dict], per_township: int, previous: list[dict]) -> list[dict]:
    out = []
    by_township: dict[str, list[dict]] = {}
    for p in people:
        by_township.setdefault(p["township"], []).append(p)
    carried = {c["case_id"]: c for c in previous}
    # About a third of last quarter's cases are still found (延续).
    for c in previous:
        if rng.random() < 0.35:
            out.append({**c, "quarter": quarter, "status": "延续"})
    seen = {c["case_id"] for c in out}
    for township, members in sorted(by_township.items()):
        for _ in range(per_township):
            p = rng.choice(members)
            code, sieve, kind, words = rng.choice(RULES)
            case_id = hashlib.sha1(f"{code}|{p['person_key']}".encode()).hexdigest()[:16]
            if case_id in seen or case_id in carried:
                continue
            seen.add(case_id)
            detail, amount = _detail(rng, sieve, p)
            row = rng.randint(2, 900)
            evidence = f"低保花名册2026年9月.xlsx·低保人员·第{row}行；防返贫监测对象.xlsx·Sheet1·第{row + 37}行"
            if sieve == 8:
                evidence += f"；一卡通发放明细.csv·第{row * 3}行"
            out.append(
                {
                    "quarter": quarter,
                    "case_id": case_id,
                    "rule_code": code,
                    "rule_name": words,
                    "kind": kind,
                    "sieve": sieve,
                    "person_key": p["person_key"],
                    "id_number": p["id_number"],
                    "name": p["name"],
                    "county": p["county"],
                    "township": p["township"],
                    "village": p["village"],
                    "detail": detail,
                    "evidence": evidence,
                    "amount": amount,
                    "first_seen_quarter": quarter,
                    "status": "新增",
                }
            )
    return out


def _facts(rng: random.Random, quarter: str, people: list[dict]) -> list[dict]:
    out = []
    for p in people:
        in_dibao = rng.random() < 0.35
        sanlei = p["registry_household"] is not None and rng.random() < 0.4
        out.append(
            {
                "quarter": quarter,
                "person_key": p["person_key"],
                "age": p["age"],
                "is_dead": rng.random() < 0.02,
                "in_dibao": in_dibao,
                "in_tekun": (not in_dibao) and rng.random() < 0.05,
                "in_ertong": p["age"] < 18 and rng.random() < 0.05,
                "is_three_groups": sanlei,
                "is_severe": rng.random() < 0.15,
                "is_major_ill": rng.random() < 0.1,
                "has_living_subsidy": rng.random() < 0.3,
                "has_care_subsidy": rng.random() < 0.3,
                "is_insured": rng.random() < 0.9,
                "is_aided_insurance": rng.random() < 0.6,
                "dibao_household": p["head_id"] if in_dibao else None,
                "registry_household": p["registry_household"],
            }
        )
    return out


def _overlap(rng: random.Random, quarter: str, county: str, people: list[dict]) -> list[dict]:
    units = [("县", county)]
    units += [("乡镇", t) for t in sorted({p["township"] for p in people})]
    units += [("村", v) for v in sorted({p["village"] for p in people})]
    out = []
    for level, unit in units:
        scale = {"县": 40, "乡镇": 10, "村": 3}[level]
        for pair in PAIRS:
            for measure in ("persons", "households"):
                left = rng.randint(5, 60) * scale
                right = rng.randint(5, 60) * scale
                both = rng.randint(0, min(left, right))
                out.append(
                    {
                        "quarter": quarter,
                        "level": level,
                        "unit": unit,
                        "pair": pair,
                        "measure": measure,
                        "left_count": left,
                        "right_count": right,
                        "overlap_count": both,
                        "left_rate": both / left,
                        "right_rate": both / right,
                    }
                )
    return out


def _run(quarter: str, i: int) -> dict:
    files = [
        {"file_name": "低保花名册2026年9月.xlsx", "sha256": "ab" * 32, "form": "xlsx", "sheet_name": ["低保人员"], "source_table": ["dibao"], "data_rows": 1204, "accepted_rows": 1198, "rejected_rows": 6},
        {"file_name": "防返贫监测对象.xlsx", "sha256": "cd" * 32, "form": "xlsx", "sheet_name": ["Sheet1", "说明"], "source_table": ["fupin", None], "data_rows": 5310, "accepted_rows": 5310, "rejected_rows": 0},
        {"file_name": "一卡通发放明细.csv", "sha256": "ef" * 32, "form": "csv-gbk", "sheet_name": [""], "source_table": ["fafang"], "data_rows": 8840, "accepted_rows": 8839, "rejected_rows": 1},
    ]
    return {
        "run_id": f"run-{quarter}-{i}",
        "quarter": quarter,
        "status": "succeeded",
        "started_at": datetime(int(quarter[:4]), 3 * int(quarter[-1]), 28, 9, 0),
        "finished_at": datetime(int(quarter[:4]), 3 * int(quarter[-1]), 28, 9, 7),
        "input_dir": f"/data/{quarter}",
        "files": json.dumps(files, ensure_ascii=False),
        "policy": "{}",
        "code_version": "0.1.0+test",
        "counts": "{}",
    }


def make_db(
    path: Path | str,
    quarters: tuple[str, ...] = ("2026Q2", "2026Q3"),
    townships: tuple[str, ...] = ("城关镇", "石桥乡", "龙泉镇"),
    persons_per_township: int = 40,
    cases_per_township: int = 25,
    with_facts: bool = True,
    county: str = "宣威市",
    seed: int = 7,
) -> Path:
    """Write the fixture database at ``path`` (replacing it) and return the path."""
    rng = random.Random(seed)
    path = Path(path)
    path.unlink(missing_ok=True)
    ref = date(2026, 9, 30)
    people = _people(rng, county, list(townships), persons_per_township, ref)
    frames: dict[str, list[dict]] = {"cases": [], "overlap_rates": [], "persons": [], "person_facts": [], "runs": []}
    previous: list[dict] = []
    for i, quarter in enumerate(quarters):
        cases = _cases(rng, quarter, people, cases_per_township, previous)
        # carried cases keep their first quarter
        frames["cases"] += cases
        previous = cases
        frames["overlap_rates"] += _overlap(rng, quarter, county, people)
        frames["persons"] += [
            {k: p[k] for k in ("person_key", "id_number", "name", "gender", "birth_date", "county", "township", "village")} | {"quarter": quarter}
            for p in people
        ]
        frames["person_facts"] += _facts(rng, quarter, people)
        frames["runs"].append(_run(quarter, i))
    schemas = {
        "cases": {"sieve": pl.Int64, "amount": pl.Float64},
        "overlap_rates": {"left_count": pl.Int64, "right_count": pl.Int64, "overlap_count": pl.Int64},
    }
    with duckdb.connect(str(path)) as con:
        for name, rows in frames.items():
            if name == "person_facts" and not with_facts:
                continue
            frame = pl.DataFrame(rows, schema_overrides=schemas.get(name, {}), infer_schema_length=None)
            con.register("_f", frame)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _f')
            con.unregister("_f")
    return path
