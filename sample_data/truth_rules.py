"""The rule truth: every rule of rules.md computed over the rows the generator actually wrote.

A second, independent implementation of ``../shared/spec/rules.md`` (it reads neither ``sql/`` nor
``pipeline/rules/``), written as a perfect clerk would apply it:

* it sees the rows that were written, with their clean values (dates, amounts and codes as the
  generator meant them: the cosmetic dirt of dates, months, IDs and names changes nothing);
* it ignores the rows that must be rejected (``expect = reject``): the pipeline cannot use them,
  so they are not evidence (a rejected 发放 row is a month unpaid, a rejected roster row a roster
  without the person ...);
* it knows the true person behind every accepted row (``person_uid``), even where the ID number was
  dirtied (typos, 15 digits, Excel numbers, scientific notation, a parent's ID on a child's row):
  where the pipeline fails to link such a row, that shows as its error.

Input: ``truth/rows_<table>_<quarter>.parquet`` (written by generate.py: the clean row, its ``uid``,
file / sheet / row, dirt and expect) and ``truth/persons.csv``.  Output: ``truth/cases.csv``
(quarter, rule_code, person_uid, planted, variant), ``planted`` / ``variant`` taken from
``truth/planted.csv`` (what the scenarios planted on purpose).

    python -m sample_data.truth_rules DIR [--policy FILE] [--out FILE]

The readings taken where rules.md leaves room are listed in sample_data/README.md, "Rule truth".
"""

from __future__ import annotations

import argparse
import tomllib
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from .county import age_at
from .policy import DEFAULT_POLICY, DISABILITY_CATEGORIES, POLICY_FILE
from .quarters import Q, years_before

TABLE_NAMES = ("dibao", "tekun", "tekun_visit", "linshi", "ertong", "liangbu", "laonian", "fafang", "siwang",
               "fupin", "canlian", "yibao_canbao", "yibao_jiesuan")
ABLE = ["普通劳动力", "技能劳动力", "弱劳动力或半劳动力"]
GRADES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "1": 1, "2": 2, "3": 3, "4": 4}
INSURED = ["参保", "正常参保", "是"]
RECEIVES = ["是", "城市低保", "农村低保", "城市特困", "农村特困"]
NOT_RECEIVES = ["否", "未享受"]
ROSTER_OF_ITEM = {"低保金": "dibao", "特困供养金": "tekun", "孤儿基本生活费": "ertong", "事实无人抚养儿童生活补贴": "ertong",
                  "残疾人生活补贴": "liangbu", "重度残疾人护理补贴": "liangbu", "老年人补贴": "laonian"}
CASE_SCHEMA = {"rule_code": pl.Utf8, "uid": pl.Int64}
ONLY_FOR_THE_DEAD_TOO = ("S7-1", "S8-1", "S8-2", "S8-3", "S8-4", "S8-5")


def load_policy(path: Path | str | None = None) -> dict:
    """The policy as a dict: the file given, else pipeline/policy_default.toml, else rules.md's defaults."""
    path = Path(path) if path is not None else (POLICY_FILE if POLICY_FILE.exists() else None)
    if path is None:
        return dict(DEFAULT_POLICY)
    with Path(path).open("rb") as fh:
        return {**DEFAULT_POLICY, **tomllib.load(fh)}


# --- small helpers -----------------------------------------------------------------------------


def _in_force(col: str = "status") -> pl.Expr:
    """在保 / 渐退 / blank."""
    return pl.col(col).is_null() | pl.col(col).is_in(["在保", "渐退", ""])


def _cents(e: pl.Expr) -> pl.Expr:
    return (e.cast(pl.Float64).fill_null(0.0) * 100).round(0).cast(pl.Int64)


def _uids(frame: pl.DataFrame, col: str = "uid") -> pl.Series:
    return frame.select(pl.col(col).alias("uid")).drop_nulls().unique()["uid"]


def _case(code: str, uids) -> pl.DataFrame:
    s = pl.Series("uid", uids, dtype=pl.Int64) if not isinstance(uids, pl.Series) else uids.cast(pl.Int64).rename("uid")
    return pl.DataFrame({"uid": s.drop_nulls().unique()}).with_columns(rule_code=pl.lit(code)).select("rule_code", "uid")


def _has(col: str) -> pl.Expr:
    return pl.col(col).is_not_null() & (pl.col(col).cast(pl.Utf8).str.strip_chars() != "")


def _care_amount_expr(pol: dict, cat: str = "category", grade: str = "grade") -> pl.Expr:
    """护理补贴 the policy gives a certificate's category and grade (0 when none; the first row that matches)."""
    expr = pl.lit(0.0)
    for row in reversed(pol["care_subsidy"]):
        expr = pl.when((pl.col(grade) == row["grade"]) & pl.col(cat).is_in(list(row["categories"]))).then(float(row["amount"])).otherwise(expr)
    return expr


_T2S = None


def _fold_name(name: str | None) -> str:
    """Spelling-free form of a name: traditional -> simplified, separators and spaces removed."""
    global _T2S
    if not name:
        return ""
    if _T2S is None:
        from opencc import OpenCC

        _T2S = OpenCC("t2s")
    out = _T2S.convert(name)
    for ch in "·•．・.\u00b7 \u3000-":
        out = out.replace(ch, "")
    return out


# --- the computation ---------------------------------------------------------------------------


def load_rows(truth_dir: Path, quarter: str) -> dict[str, pl.DataFrame]:
    """The accepted rows of each table of the quarter (clean values, true person ``uid``)."""
    out = {}
    for t in TABLE_NAMES:
        p = truth_dir / f"rows_{t}_{quarter}.parquet"
        f = pl.read_parquet(p) if p.exists() else pl.DataFrame({"uid": [], "expect": [], "dirt": []},
                                                               schema={"uid": pl.Int64, "expect": pl.Utf8, "dirt": pl.Utf8})
        out[t] = f.filter(pl.col("expect") == "accept")
    return out


def compute_quarter(rows: dict[str, pl.DataFrame], persons: pl.DataFrame, q: Q, pol: dict) -> pl.DataFrame:
    """Every rule's cases of one quarter: (rule_code, uid)."""
    ref, start, months = q.ref, q.start, q.months
    std12 = 12.0 * pol["dibao_monthly_standard"]
    lo12 = years_before(ref, 1)  # the 12 months are (lo12, ref]
    owner = persons.select(pl.col("id_number").alias("_id"), pl.col("uid").alias("_owner"))
    P = persons.select("uid", "name", "birth_date", age=age_at(pl.col("birth_date"), ref))

    D, T, V, LS, E, L, LA, F, S, C, YC, YJ, PAY = (
        rows[t] for t in ("dibao", "tekun", "tekun_visit", "linshi", "ertong", "liangbu", "laonian", "fupin", "siwang",
                          "canlian", "yibao_canbao", "yibao_jiesuan", "fafang"))
    known = pl.concat([f.select("uid") for f in rows.values() if f.height]).unique()["uid"] if any(f.height for f in rows.values()) else pl.Series("uid", [], pl.Int64)

    # --- who is what ------------------------------------------------------------------------
    dead = S.filter(pl.col("death_date") <= ref).group_by("uid").agg(pl.col("death_date").min())
    dead_month = dead.select("uid", dm=pl.col("death_date").dt.truncate("1mo"))
    D = D.join(owner, left_on="head_id_number", right_on="_id", how="left").rename({"_owner": "head_uid"})
    Din = D.filter(_in_force())
    in_dibao = _uids(Din)
    Tin = T.filter(_in_force())
    in_tekun = _uids(Tin)
    Ein = E.filter(_in_force())
    in_ertong = _uids(Ein)
    Lin = L.filter(_in_force())
    LAin = LA.filter(_in_force())

    F = F.with_columns(
        hh=pl.col("household_number"),
        _sanlei=(pl.col("household_type") == "未脱贫户")
        | ((pl.col("household_type") == "监测户") & (pl.col("risk_eliminated").fill_null("") != "是")),
    ).with_columns(
        sanlei_hh=pl.col("_sanlei").any().over("hh"),
        income=pl.col("income_per_capita").max().over("hh"),
    ).join(P.select("uid", "age"), on="uid", how="left")
    sanlei = _uids(F.filter("sanlei_hh"))
    registry_heads = F.filter(pl.col("relation") == "户主").select("hh", head="uid")

    certs = C.filter(pl.col("certificate_status").is_null() | pl.col("certificate_status").is_in(["正常", ""])).with_columns(
        grade=pl.col("disability_grade").cast(pl.Utf8).replace_strict(GRADES, default=None, return_dtype=pl.Int32),
        category=pl.col("disability_category").cast(pl.Utf8).replace_strict(
            {**{c: c for c in DISABILITY_CATEGORIES}, **{str(i + 1): c for i, c in enumerate(DISABILITY_CATEGORIES)}}, default=None, return_dtype=pl.Utf8),
    )
    cert_in_force = _uids(certs)
    heavy = _uids(certs.filter(pl.col("grade") <= 2))

    kw = "|".join(pol["major_illness_keywords"]) or "(?!)"
    J12 = YJ.filter((pl.col("settlement_date") > lo12) & (pl.col("settlement_date") <= ref))
    major = (pl.col("major_illness") == "是") | (
        (pl.col("major_illness").is_null() | (pl.col("major_illness") == "")) & pl.col("diagnosis").fill_null("").str.contains(kw))
    sick = pl.concat([_uids(J12.filter(major)), _uids(F.filter(pl.col("health") == "患有大病"))]).unique()
    JQ = YJ.filter((pl.col("settlement_date") >= start) & (pl.col("settlement_date") <= ref))

    def living_only(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("uid").is_in(dead["uid"].implode()))

    cases: list[pl.DataFrame] = []
    add = lambda code, uids: cases.append(_case(code, uids))  # noqa: E731

    # --- sieve 1 ------------------------------------------------------------------------------
    covered = pl.concat([in_dibao, in_tekun]).unique()
    add("S1-1", sanlei.filter(sanlei.is_in(pl.concat([heavy, sick]).implode()) & ~sanlei.is_in(covered.implode())))
    low = F.filter((pl.col("income") < pol["low_income_multiple"] * std12) & ~pl.col("sanlei_hh"))
    add("S1-2", _uids(low.filter(pl.col("uid").is_in(heavy.implode()) & ~pl.col("uid").is_in(covered.implode()))))
    hh_dibao = F.filter(pl.col("uid").is_in(in_dibao.implode())).select("hh").unique()
    add("S1-3", _uids(low.filter(pl.col("uid").is_in(sick.implode()) & ~pl.col("uid").is_in(heavy.implode())
                                 & ~pl.col("hh").is_in(hh_dibao["hh"].implode()))))
    single = Din.filter(pl.col("single_person_coverage").cast(pl.Utf8).is_in(["是", "true"]))
    add("S1-4", _uids(single.filter(~pl.col("uid").is_in(pl.concat([heavy, sick]).implode()))))

    # --- sieve 2 ------------------------------------------------------------------------------
    hh_covered = F.filter(pl.col("uid").is_in(covered.implode())).select("hh").unique()
    s21 = F.filter(pl.col("sanlei_hh") & (_cents(pl.col("income")) < round(std12 * 100)) & ~pl.col("hh").is_in(hh_covered["hh"].implode()))
    add("S2-1", _uids(registry_heads.filter(pl.col("hh").is_in(s21["hh"].unique().implode())), "head"))
    able = pl.col("labour_skill").is_in(ABLE)
    alive_able = F.filter(able & ~pl.col("uid").is_in(dead["uid"].implode())).group_by("hh").agg(able_uids=pl.col("uid"))
    s22 = F.filter(pl.col("sanlei_hh") & ~able & ((pl.col("age") >= pol["tekun_min_age"]) | (pl.col("age") < 16) | pl.col("uid").is_in(heavy.implode()))
                   & ~pl.col("uid").is_in(in_tekun.implode())).join(alive_able, on="hh", how="left")
    s22 = s22.filter(pl.col("able_uids").is_null() | (pl.col("able_uids").list.set_difference(pl.concat_list(pl.col("uid"))).list.len() == 0))
    add("S2-2", _uids(s22))
    relief_q = _uids(LS.filter((pl.col("relief_date") >= start) & (pl.col("relief_date") <= ref)))
    s23 = JQ.filter(pl.col("uid").is_in(sanlei.implode())).group_by("uid").agg(oop=_cents(pl.col("out_of_pocket")).sum(), aid=_cents(pl.col("medical_aid")).sum())
    add("S2-3", _uids(s23.filter((pl.col("oop") >= round(pol["urgent_out_of_pocket"] * 100)) & (pl.col("aid") == 0) & ~pl.col("uid").is_in(relief_q.implode()))))

    # --- sieve 3 ------------------------------------------------------------------------------
    add("S3-1", _uids(Ein.join(P, on="uid").filter(pl.col("age") >= 18)))
    frail = pl.concat([dead["uid"], heavy, sick]).unique()
    kids = []
    for frame, key in ((F, "hh"), (D, "head_id_number")):
        g = frame.select("uid", "relation", pl.col(key).alias("_hh")).with_columns(_frail=pl.col("uid").is_in(frail.implode()))
        parents = g.filter(pl.col("relation").is_in(["户主", "配偶"])).group_by("_hh").agg(
            n_head=(pl.col("relation") == "户主").sum(), n_spouse=(pl.col("relation") == "配偶").sum(), all_frail=pl.col("_frail").all())
        ok = parents.filter((pl.col("n_head") > 0) & (pl.col("n_spouse") > 0) & pl.col("all_frail"))["_hh"]
        kids.append(g.filter(pl.col("relation").is_in(["之子", "之女"]) & pl.col("_hh").is_in(ok.implode())).select("uid"))
    k = pl.concat(kids).unique().join(P, on="uid").filter((pl.col("age") < 18) & ~pl.col("uid").is_in(in_ertong.implode()))
    add("S3-2", _uids(k))
    stdo = {k_: float(v) for k_, v in pol["orphan_standard"].items()}
    add("S3-3", _uids(Ein.filter(pl.col("child_category").is_in(list(stdo)) & (
        _cents(pl.col("monthly_amount")) < (pl.col("child_category").replace_strict(stdo, default=None, return_dtype=pl.Float64) * 100).round(0).cast(pl.Int64)))))

    # --- sieve 4 ------------------------------------------------------------------------------
    living_paid = _uids(Lin.filter(pl.col("living_subsidy").fill_null(0) > 0))
    care_paid = _uids(Lin.filter(pl.col("care_subsidy").fill_null(0) > 0))
    add("S4-1", cert_in_force.filter(cert_in_force.is_in(in_dibao.implode()) & ~cert_in_force.is_in(living_paid.implode())))
    cert_care = certs.with_columns(due=_care_amount_expr(pol))
    add("S4-2", _uids(cert_care.filter((pl.col("due") > 0) & ~pl.col("uid").is_in(care_paid.implode()))))
    living_by_cat = {k_: float(v) for k_, v in pol["living_subsidy"].items()}
    living_due = Din.select("uid", due=pl.col("category").replace_strict(living_by_cat, default=None, return_dtype=pl.Float64)).drop_nulls("due").group_by("uid").agg(
        dues=(pl.col("due") * 100).round(0).cast(pl.Int64))
    care_due = cert_care.group_by("uid").agg(care_dues=(pl.col("due") * 100).round(0).cast(pl.Int64))
    lb = Lin.select("uid", lc=_cents(pl.col("living_subsidy")), cc=_cents(pl.col("care_subsidy"))).join(living_due, on="uid", how="left").join(care_due, on="uid", how="left")
    has_cert = pl.col("uid").is_in(cert_in_force.implode())
    s44 = lb.filter(~has_cert | ((pl.col("lc") > 0) & ~pl.col("uid").is_in(in_dibao.implode()))
                    | ((pl.col("cc") > 0) & (pl.col("care_dues").list.max().fill_null(0) == 0)))
    add("S4-4", _uids(s44))
    s43_living = lb.filter(has_cert & (pl.col("lc") > 0) & pl.col("dues").is_not_null() & (pl.col("dues").list.len() > 0)
                           & ~pl.col("dues").list.contains(pl.col("lc")))
    s43_care = lb.filter(has_cert & (pl.col("cc") > 0) & (pl.col("care_dues").list.max().fill_null(0) > 0) & ~pl.col("care_dues").list.contains(pl.col("cc")))
    add("S4-3", pl.concat([_uids(s43_living), _uids(s43_care)]))
    # S4-5: a record naming a different person than the one it belongs to
    s45 = []
    for f in (C, L):  # 残疾人证号 of 残联 and of the 两项补贴 roster: its ID part names another person than the row's
        if f.height and "certificate_number" in f.columns:
            cert_owner = f.filter(_has("certificate_number")).with_columns(
                _cid=pl.col("certificate_number").cast(pl.Utf8).str.slice(0, 18).str.to_uppercase()).join(owner, left_on="_cid", right_on="_id", how="left")
            s45.append(_uids(cert_owner.filter(pl.col("_owner").is_null() | (pl.col("_owner") != pl.col("uid")))))
    true_names = dict(zip(persons["uid"].to_list(), persons["name"].to_list()))
    for f in rows.values():
        if not f.height:
            continue
        # another person's ID number on the row (a parent's on a child's row): the row's person, and the
        # number's holder when the files show the holder too (the one number then names two persons)
        other = f.filter(pl.col("dirt").fill_null("").str.contains("id_parent_on_child"))
        if other.height:
            s45.append(_uids(other))
            holders = other.join(owner, left_on="_parent_id", right_on="_id", how="inner")
            s45.append(_uids(holders.filter(pl.col("_owner").is_in(known.implode())), "_owner"))
        if "name" in f.columns:
            pairs = f.select("uid", "name").unique().drop_nulls()
            differ = [u for u, n in pairs.iter_rows() if _fold_name(n) != _fold_name(true_names.get(u))]
            s45.append(pl.Series("uid", differ, dtype=pl.Int64))
    add("S4-5", pl.concat(s45).unique())
    add("S4-6", _uids(F.filter(((pl.col("health") == "残疾") | _has("disability_category")) & ~pl.col("uid").is_in(cert_in_force.implode()))))

    # --- sieve 5 ------------------------------------------------------------------------------
    econ = _uids(LAin.filter(pl.col("subsidy_type") == "经济困难老年人补贴"))
    adv = _uids(LAin.filter(pl.col("subsidy_type") == "高龄津贴"))
    poor = pl.concat([in_dibao, in_tekun, sanlei]).unique()
    Pk = P.filter(pl.col("uid").is_in(known.implode()))
    add("S5-1", _uids(Pk.filter((pl.col("age") >= pol["elderly_min_age"]) & pl.col("uid").is_in(poor.implode()) & ~pl.col("uid").is_in(econ.implode()))))
    add("S5-2", _uids(Pk.filter((pl.col("age") >= pol["advanced_age"]) & ~pl.col("uid").is_in(adv.implode()))))

    # --- sieve 6 ------------------------------------------------------------------------------
    dis = Tin.filter(pl.col("support_mode") == "分散供养")
    add("S6-1", _uids(dis.filter((~_has("carer_name") & ~_has("carer_id_number")) | (pl.col("care_agreement").fill_null("") != "是"))))
    sm = dis.group_by("uid").agg(start=pl.col("start_month").min())
    town = V.filter(pl.col("visit_level") == "乡镇").select("uid", m=pl.col("visit_date").dt.truncate("1mo")).unique()
    due_m = sm.join(pl.DataFrame({"m": months}), how="cross").filter(pl.col("start").is_null() | (pl.col("m") >= pl.col("start")))
    add("S6-2", _uids(due_m.join(town, on=["uid", "m"], how="anti")))
    weeks = []
    for w in range(13):
        b0 = start + timedelta(days=7 * w)
        b1 = ref if w == 12 else min(b0 + timedelta(days=6), ref)
        weeks.append({"w": w, "b0": b0, "b1": b1})
    W = pl.DataFrame(weeks)
    due_w = sm.join(W, how="cross").filter(pl.col("start").is_null() | (pl.col("b1") >= pl.col("start")))
    vil = V.filter(pl.col("visit_level") == "村").select("uid", "visit_date").join(W, how="cross").filter(
        (pl.col("visit_date") >= pl.col("b0")) & (pl.col("visit_date") <= pl.col("b1"))).select("uid", "w").unique()
    missing = due_w.join(vil, on=["uid", "w"], how="anti").group_by("uid").len()
    add("S6-3", _uids(missing.filter(pl.col("len") > pol["village_visit_missing_weeks_allowed"])))
    add("S6-4", _uids(dis.filter(pl.col("self_care") == "全失能")))

    # --- sieve 7 ------------------------------------------------------------------------------
    in_any = pl.concat([in_dibao, in_tekun, in_ertong, _uids(Lin), _uids(LAin)]).unique()
    add("S7-1", dead["uid"].filter(dead["uid"].is_in(in_any.implode())))
    hh_income = F.select("uid", "income")
    hh7 = Din.group_by("head_id_number").agg(
        head_uid=pl.col("head_uid").first(), gradual=(pl.col("status") == "渐退").any(), members=pl.col("uid"))
    inc_head = hh7.join(hh_income, left_on="head_uid", right_on="uid", how="left").select("head_id_number", inc_head="income")
    inc_mem = hh7.explode("members").join(hh_income, left_on="members", right_on="uid", how="inner").group_by("head_id_number").agg(inc_mem=pl.col("income").max())
    hh7 = hh7.join(inc_head, on="head_id_number", how="left").join(inc_mem, on="head_id_number", how="left").with_columns(
        inc=pl.coalesce("inc_head", "inc_mem"))
    add("S7-2", _uids(hh7.filter(~pl.col("gradual") & (_cents(pl.col("inc")) > round(pol["exit_income_multiple"] * std12 * 100)) & pl.col("inc").is_not_null()), "head_uid"))
    gm = pol["gradual_exit_months"]
    due_exit = D.filter((pl.col("status") == "渐退") & pl.col("gradual_exit_start_month").is_not_null()).with_columns(
        end=pl.col("gradual_exit_start_month").dt.offset_by(f"{gm}mo"))
    add("S7-3", _uids(due_exit.filter(pl.col("end") <= q.ref_month)))
    two = Din.group_by("uid").agg(n=pl.col("head_id_number").n_unique()).filter(pl.col("n") >= 2)["uid"]
    add("S7-4", pl.concat([two, in_dibao.filter(in_dibao.is_in(in_tekun.implode()))]))
    s75 = F.filter(
        (pl.col("receives_dibao").is_in(RECEIVES) & ~pl.col("uid").is_in(in_dibao.implode()))
        | (pl.col("receives_dibao").is_in(NOT_RECEIVES) & pl.col("uid").is_in(in_dibao.implode()))
        | (pl.col("receives_tekun").is_in(RECEIVES) & ~pl.col("uid").is_in(in_tekun.implode()))
        | (pl.col("receives_tekun").is_in(NOT_RECEIVES) & pl.col("uid").is_in(in_tekun.implode())))
    add("S7-5", _uids(s75))

    # --- sieve 8 ------------------------------------------------------------------------------
    pay = PAY.select("uid", "item", m=pl.col("pay_month").dt.truncate("1mo"), amount=_cents(pl.col("amount")))
    add("S8-5", _uids(pay.group_by("uid", "item", "m").len().filter(pl.col("len") >= 2)))
    on_roster = pl.concat([
        D.select("uid", item=pl.lit("低保金")), D.select(pl.col("head_uid").alias("uid"), item=pl.lit("低保金")),
        T.select("uid", item=pl.lit("特困供养金")),
        E.select("uid", item=pl.lit("孤儿基本生活费")), E.select("uid", item=pl.lit("事实无人抚养儿童生活补贴")),
        L.select("uid", item=pl.lit("残疾人生活补贴")), L.select("uid", item=pl.lit("重度残疾人护理补贴")),
        LA.select("uid", item=pl.lit("老年人补贴")),
    ]).drop_nulls().unique()
    add("S8-4", _uids(pay.join(on_roster, on=["uid", "item"], how="anti")))
    add("S8-3", _uids(pay.join(dead_month, on="uid").filter(pl.col("m") > pl.col("dm"))))
    # roster amounts (in-force rows first, else rows of any status)
    def amounts(frame: pl.DataFrame, who: str, item, amount: pl.Expr, prefer_in_force=True) -> pl.DataFrame:
        f = frame.with_columns(_f=_in_force()) if "status" in frame.columns else frame.with_columns(_f=pl.lit(True))
        f = f.select(pl.col(who).alias("uid"), (item if isinstance(item, pl.Expr) else pl.lit(item)).alias("item"), _cents(amount).alias("due"), "_f").drop_nulls("uid")
        best = f.group_by("uid", "item").agg(pl.col("_f").any().alias("_any"))
        return f.join(best, on=["uid", "item"]).filter(pl.col("_f") | ~pl.col("_any")).select("uid", "item", "due").unique()
    ertong_item = pl.when(pl.col("child_category") == "事实无人抚养儿童").then(pl.lit("事实无人抚养儿童生活补贴")).otherwise(pl.lit("孤儿基本生活费"))
    dib_head = amounts(D, "head_uid", "低保金", pl.col("household_monthly_amount"))
    dib_member = amounts(D, "uid", "低保金", pl.col("household_monthly_amount")).join(dib_head.select("uid"), on="uid", how="anti")
    la_sum = LA.with_columns(_f=_in_force()).with_columns(_any=pl.col("_f").any().over("uid")).filter(pl.col("_f") | ~pl.col("_any")).group_by("uid").agg(
        due=_cents(pl.col("monthly_amount")).sum()).with_columns(item=pl.lit("老年人补贴"))
    due_amounts = pl.concat([
        dib_head, dib_member,
        amounts(T, "uid", "特困供养金", pl.col("basic_standard")),
        amounts(E, "uid", ertong_item, pl.col("monthly_amount")),
        amounts(E, "uid", pl.when(ertong_item == "孤儿基本生活费").then(pl.lit("事实无人抚养儿童生活补贴")).otherwise(pl.lit("孤儿基本生活费")), pl.col("monthly_amount")),
        amounts(L, "uid", "残疾人生活补贴", pl.col("living_subsidy")),
        amounts(L, "uid", "重度残疾人护理补贴", pl.col("care_subsidy")),
        la_sum.select("uid", "item", "due"),
    ]).group_by("uid", "item").agg(dues=pl.col("due").unique())
    add("S8-2", _uids(pay.join(due_amounts, on=["uid", "item"], how="inner").filter(~pl.col("dues").list.contains(pl.col("amount")))))
    # S8-1: every month in force (from 最初享受月份, through the death month) needs a payment of its item
    M = pl.DataFrame({"m": months})
    owed = [
        Tin.select("uid", item=pl.lit("特困供养金"), start=pl.col("start_month")),
        Ein.select("uid", item=ertong_item, start=pl.col("start_month")),
        Lin.filter(pl.col("living_subsidy").fill_null(0) > 0).select("uid", item=pl.lit("残疾人生活补贴"), start=pl.lit(None, pl.Date)),
        Lin.filter(pl.col("care_subsidy").fill_null(0) > 0).select("uid", item=pl.lit("重度残疾人护理补贴"), start=pl.lit(None, pl.Date)),
        LAin.select("uid", item=pl.lit("老年人补贴"), start=pl.lit(None, pl.Date)),
    ]
    o = pl.concat([x.with_columns(pl.col("start").cast(pl.Date)) for x in owed]).group_by("uid", "item").agg(pl.col("start").min())
    o = o.join(M, how="cross").filter(pl.col("start").is_null() | (pl.col("m") >= pl.col("start").dt.truncate("1mo")))
    o = o.join(dead_month, on="uid", how="left").filter(pl.col("dm").is_null() | (pl.col("m") <= pl.col("dm")))
    unpaid = o.join(pay.select("uid", "item", "m").unique(), on=["uid", "item", "m"], how="anti")
    # 低保金: one payment a month per in-force household, to its 户主 or any person of the household
    hh = Din.group_by("head_id_number").agg(head_uid=pl.col("head_uid").first(), start=pl.col("start_month").min())
    hh_people = pl.concat([D.select("head_id_number", "uid"), D.select("head_id_number", pl.col("head_uid").alias("uid"))]).drop_nulls().unique()
    paid_hh = pay.filter(pl.col("item") == "低保金").join(hh_people, on="uid").select("head_id_number", "m").unique()
    hh_due = hh.join(M, how="cross").filter(pl.col("start").is_null() | (pl.col("m") >= pl.col("start").dt.truncate("1mo")))
    hh_unpaid = hh_due.join(paid_hh, on=["head_id_number", "m"], how="anti")
    add("S8-1", pl.concat([_uids(unpaid), _uids(hh_unpaid, "head_uid")]))

    # --- 医保 ---------------------------------------------------------------------------------
    year = YC.filter(pl.col("insurance_year").cast(pl.Int64) == ref.year)
    enrolled = _uids(year.filter(pl.col("insurance_status").is_in(INSURED)))
    aided = pl.concat([in_dibao, in_tekun, in_ertong, sanlei]).unique()
    add("Y-1", aided.filter(~aided.is_in(enrolled.implode())))
    full = pl.concat([in_tekun, in_ertong]).unique()
    yr = year.group_by("uid").agg(got=_cents(pl.col("subsidy_amount")).max(), contribution=_cents(pl.col("contribution")).max())
    yr = yr.filter(pl.col("uid").is_in(enrolled.implode()) & pl.col("uid").is_in(aided.implode())).with_columns(
        need=pl.max_horizontal(
            pl.when(pl.col("uid").is_in(full.implode())).then(pl.col("contribution")).otherwise(0),
            pl.when(pl.col("uid").is_in(in_dibao.implode())).then(round(pol["subsidy_dibao"] * 100)).otherwise(0),
            pl.when(pl.col("uid").is_in(sanlei.implode())).then(round(pol["subsidy_monitored"] * 100)).otherwise(0),
        ))
    add("Y-2", _uids(yr.filter(pl.col("got").fill_null(0) < pl.col("need"))))
    key = pl.concat([in_tekun, in_dibao, in_ertong]).unique()
    y3 = JQ.filter(pl.col("uid").is_in(aided.implode())).with_columns(
        ratio=pl.when(pl.col("uid").is_in(key.implode())).then(pol["aid_ratio_key"]).otherwise(pol["aid_ratio_low_income"]),
        remain=pl.col("total_cost").fill_null(0) - pl.col("basic_fund").fill_null(0) - pl.col("critical_illness_fund").fill_null(0),
    ).with_columns(limit=((pl.col("ratio") * pl.col("remain") - 1.0) * 100).round(0).cast(pl.Int64))
    add("Y-3", _uids(y3.filter(_cents(pl.col("medical_aid")) < pl.col("limit"))))
    members = F.select("hh", "uid")
    n_members = members.group_by("hh").len()
    burden = J12.join(members, on="uid").group_by("hh").agg(b=pl.col("out_of_pocket").fill_null(0).sum())
    y4 = (F.select("hh", "income").unique("hh").join(burden, on="hh").join(n_members, on="hh")
          .filter((pl.col("b") > 0) & ~pl.col("hh").is_in(hh_dibao["hh"].implode()))
          .with_columns(after=((pl.col("income") - pl.col("b") / pl.col("len")) * 100).round(0).cast(pl.Int64)))
    line = round(max(1.0, float(pol["expense_relief_multiple"])) * std12 * 100)
    add("Y-4", _uids(registry_heads.filter(pl.col("hh").is_in(y4.filter(pl.col("after") < line)["hh"].implode())), "head"))

    out = pl.concat(cases).unique()
    dead_ids = dead["uid"].implode()
    out = out.filter(pl.col("rule_code").is_in(list(ONLY_FOR_THE_DEAD_TOO)) | ~pl.col("uid").is_in(dead_ids))
    return out.sort("rule_code", "uid")


def compute_cases(county: Path, policy_path: Path | str | None = None, quarters: list[str] | None = None) -> pl.DataFrame:
    """Every quarter's cases: quarter, rule_code, person_uid, planted, variant."""
    truth_dir = Path(county) / "truth"
    pol = load_policy(policy_path)
    persons = pl.read_csv(truth_dir / "persons.csv", infer_schema_length=0).select(
        pl.col("person_uid").cast(pl.Int64).alias("uid"), "id_number", "name", pl.col("birth_date").str.to_date())
    if quarters is None:
        quarters = sorted({p.stem.rsplit("_", 1)[1] for p in truth_dir.glob("rows_*_*.parquet")})
    out = []
    for qs in quarters:
        c = compute_quarter(load_rows(truth_dir, qs), persons, Q.parse(qs), pol)
        out.append(c.select(pl.lit(qs).alias("quarter"), "rule_code", pl.col("uid").alias("person_uid")))
    cases = pl.concat(out) if out else pl.DataFrame(schema={"quarter": pl.Utf8, "rule_code": pl.Utf8, "person_uid": pl.Int64})
    planted_path = truth_dir / "planted.csv"
    if planted_path.exists():
        pr = pl.read_csv(planted_path, schema_overrides={"person_uid": pl.Int64, "planted": pl.Boolean}, infer_schema_length=0)
        pr = pr.with_columns(pl.col("person_uid").cast(pl.Int64), (pl.col("planted").cast(pl.Utf8) == "true").alias("planted")).sort(
            "planted", descending=True).unique(["quarter", "rule_code", "person_uid"], keep="first", maintain_order=True)
        cases = cases.join(pr.select("quarter", "rule_code", "person_uid", "planted", "variant"), on=["quarter", "rule_code", "person_uid"], how="left")
    else:
        cases = cases.with_columns(planted=pl.lit(None, pl.Boolean), variant=pl.lit(None, pl.Utf8))
    return cases.with_columns(pl.col("planted").fill_null(False)).sort("quarter", "rule_code", "person_uid").select(
        "quarter", "rule_code", "person_uid", "planted", "variant")


def write_rule_truth(county: Path, quarters: list[str] | None = None, policy_path: Path | str | None = None, out: Path | None = None) -> int:
    cases = compute_cases(county, policy_path, quarters)
    cases.write_csv(out or Path(county) / "truth" / "cases.csv")
    return cases.height


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sample_data.truth_rules", description=__doc__.splitlines()[0])
    ap.add_argument("county", type=Path, help="a generated county (with truth/rows_*.parquet)")
    ap.add_argument("--policy", type=Path, default=None, help="policy TOML (default: pipeline/policy_default.toml)")
    ap.add_argument("--out", type=Path, default=None, help="where to write the cases (default: COUNTY/truth/cases.csv)")
    a = ap.parse_args(argv)
    n = write_rule_truth(a.county, policy_path=a.policy, out=a.out)
    print(f"{n} cases")


if __name__ == "__main__":
    main()
