"""Each government system's view of one quarter of the world: the clean rows of every input
table (typed values, canonical column keys of contracts/sources.py, plus ``uid`` = the true
person of the row).  Dirt and file forms come later (dirt.py, writers.py)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from .background import ADVANCED, CONTRIBUTION, DIBAO_PER_PERSON, ECON_ELDERLY, TEKUN_CARE
from .county import age_at
from .policy import DISABILITY_CATEGORIES, policy
from .quarters import Q

GRADE_WORDS = ("一级", "二级", "三级", "四级")
REGION = ["region_code", "county", "township", "village"]


def _mstart(col: str) -> pl.Expr:
    return pl.col(col).dt.truncate("1mo")


def enrich(H: pl.DataFrame, P: pl.DataFrame, q: Q, last_ref: date) -> pl.DataFrame:
    """Person rows with their household's columns and the quarter's derived states."""
    H = H.with_columns(
        is_sanlei=pl.col("registry") & ((pl.col("hh_type") == "未脱贫户") | ((pl.col("hh_type") == "监测户") & (pl.col("risk_eliminated") != "是"))),
    )
    heads = P.filter(pl.col("pos") == 0).select("hh_id", head_uid="uid")
    X = P.join(H.drop("size", strict=False), on="hh_id", how="left").join(heads, on="hh_id", how="left")
    ref = q.ref
    X = X.with_columns(
        age=age_at(pl.col("birth_date"), ref),
        elig_age=age_at(pl.col("birth_date"), last_ref),
        dead=pl.col("death_date").is_not_null() & (pl.col("death_date") <= ref),
        died_before=pl.col("death_date").is_not_null() & (pl.col("death_date") < q.start),
    ).with_columns(
        # roster presence: absent once dead before the quarter, 停保 in the quarter of death
        present=~pl.col("died_before") | pl.col("ghost"),
        stop_for_death=pl.col("dead") & ~pl.col("ghost"),
    )
    X = X.with_columns(
        dibao_in_force=pl.col("dibao") & pl.col("dibao_covered") & (pl.col("dibao_status") != "停保") & ~pl.col("stop_for_death"),
        tekun_in_force=pl.col("tekun") & (pl.col("tekun_status") != "停保") & ~pl.col("stop_for_death"),
        ertong_in_force=pl.col("ertong") & (pl.col("ertong_status") != "停保") & ~pl.col("stop_for_death"),
        cert_in_force=pl.col("cert") & (pl.col("cert_status") == "正常"),
    )
    living_by_cat = policy()["living_subsidy"]
    X = X.with_columns(
        _care=_care_expr(),
        _living=pl.when(pl.col("cert_in_force") & pl.col("dibao_in_force"))
        .then(pl.col("dibao_category").replace_strict(living_by_cat, default=0, return_dtype=pl.Float64)).otherwise(0.0),
    ).with_columns(
        living_amount=pl.when(pl.col("living_override").is_not_null()).then(pl.col("living_override")).otherwise(pl.col("_living")),
        care_amount=pl.when(pl.col("care_override").is_not_null()).then(pl.col("care_override"))
        .otherwise(pl.when(pl.col("cert_in_force")).then(pl.col("_care")).otherwise(0.0)),
        econ=(pl.col("elig_age") >= policy()["elderly_min_age"])
        & (pl.col("dibao_in_force") | pl.col("tekun_in_force") | pl.col("is_sanlei")) & ~pl.col("econ_suppress"),
        adv=(pl.col("elig_age") >= policy()["advanced_age"]) & ~pl.col("adv_suppress"),
    )
    return X


def _care_expr() -> pl.Expr:
    expr = pl.lit(0.0)
    for row in reversed(policy()["care_subsidy"]):
        codes = [DISABILITY_CATEGORIES.index(c) + 1 for c in row["categories"]]
        expr = pl.when((pl.col("cert_grade") == row["grade"]) & pl.col("cert_cat").is_in(codes)).then(float(row["amount"])).otherwise(expr)
    return expr


def _status(in_force_status: str) -> pl.Expr:
    return pl.when(pl.col("stop_for_death")).then(pl.lit("停保")).otherwise(pl.col(in_force_status))


def _ids(X: pl.DataFrame) -> dict:
    return dict(zip(X["uid"].to_list(), X["id_number"].to_list()))


def tables(X: pl.DataFrame, q: Q, settlements: pl.DataFrame, linshi: pl.DataFrame, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    base = ["uid", "name", "id_number", *REGION]
    other = X.filter(pl.col("cert") & (pl.col("cert_id_uid") != pl.col("uid"))).select("uid", "cert_id_uid")
    other = other.join(X.select(pl.col("uid").alias("cert_id_uid"), pl.col("id_number").alias("_cert_id")), on="cert_id_uid").select("uid", "_cert_id")
    X = X.join(other, on="uid", how="left")
    # cert_id_uid = -uid: the certificate carries the person's own ID with a one-digit slip (15th digit + 1)
    own = pl.col("id_number")
    slipped = pl.concat_str(own.str.slice(0, 14), ((own.str.slice(14, 1).cast(pl.Int64) + 1) % 10).cast(pl.Utf8), own.str.slice(15))
    X = X.with_columns(pl.when(pl.col("cert") & (pl.col("cert_id_uid") == -pl.col("uid"))).then(slipped).otherwise(pl.col("_cert_id")).alias("_cert_id"))
    ids = X.select("uid", "id_number", "name")

    # dibao: covered persons of 低保 households (+ persons listed in a second household)
    hh_amount = (
        X.filter(pl.col("dibao") & pl.col("dibao_covered") & pl.col("present"))
        .group_by("hh_id").agg(covered_persons=pl.len())
    )
    d = X.filter(pl.col("dibao") & pl.col("dibao_covered") & pl.col("present")).join(hh_amount, on="hh_id")
    second = X.filter(pl.col("second_dibao_head").is_not_null()).select("uid", "name", "id_number", "relation", "second_dibao_head")
    if second.height:
        other = X.filter(pl.col("uid").is_in(second["second_dibao_head"].to_list())).select(
            pl.col("uid").alias("second_dibao_head"), "hh_id")
        extra = second.join(other, on="second_dibao_head").drop("second_dibao_head")
        # the household's columns from its first listed member; the extra person listed after every member
        ctx = d.sort("hh_id", "pos").unique("hh_id", keep="first", maintain_order=True).drop(
            "uid", "name", "id_number", "relation", "ghost", "stop_for_death", "pos")
        last = d.group_by("hh_id").agg(pos=pl.col("pos").max() + 1)
        extra = extra.join(ctx, on="hh_id", how="inner").join(last, on="hh_id").with_columns(
            relation=pl.lit("其他"), ghost=pl.lit(False), stop_for_death=pl.lit(False))
        d = pl.concat([d, extra.select(d.columns)], how="vertical_relaxed")
    d = d.join(ids.select(pl.col("uid").alias("head_uid"), pl.col("id_number").alias("head_id_number")), on="head_uid", how="left")
    d = d.with_columns(
        household_monthly_amount=(pl.col("dibao_category").replace_strict(DIBAO_PER_PERSON, return_dtype=pl.Float64) * pl.col("covered_persons")),
        status=pl.when(pl.col("stop_for_death")).then(pl.lit("停保")).otherwise(pl.col("dibao_status")),
    )
    out["dibao"] = d.sort("hh_id", "pos", "uid").select(
        *base, "hh_id", "head_id_number", "relation", pl.col("dibao_type"), pl.col("dibao_category").alias("category"),
        "household_monthly_amount", "covered_persons", pl.col("dibao_start").alias("start_month"), "status",
        pl.when(pl.col("status") == "渐退").then(pl.col("gradual_start")).alias("gradual_exit_start_month"),
        pl.when(pl.col("single_coverage")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("single_person_coverage"),
        pl.when(pl.col("registry")).then(pl.col("income_pc")).alias("household_income_per_capita"),
    )

    # tekun
    t = X.filter(pl.col("tekun") & pl.col("present")).join(
        ids.select(pl.col("uid").alias("carer_uid"), pl.col("name").alias("carer_name"), pl.col("id_number").alias("carer_id_number")),
        on="carer_uid", how="left")
    out["tekun"] = t.sort("uid").select(
        *base, "tekun_mode", "self_care", "basic_standard",
        pl.col("self_care").replace_strict(TEKUN_CARE, return_dtype=pl.Float64).alias("care_standard"), "carer_name", "carer_id_number",
        "care_agreement", pl.col("tekun_start").alias("start_month"), _status("tekun_status").alias("status"),
    ).rename({"tekun_mode": "support_mode"})

    # tekun_visit: 分散供养 in force, from the start month on, until death
    v = t.filter((pl.col("tekun_mode") == "分散供养") & ~pl.col("stop_for_death") & (pl.col("tekun_status") != "停保") & ~pl.col("dead"))
    visits = []
    if v.height:
        vb = v.select("uid", "name", "id_number", "tekun_start", "town_visit_skip", "village_visit_skip", *REGION)
        n = vb.height
        for mi, m0 in enumerate(q.months):
            day = rng.integers(0, 27, n)
            visits.append(vb.with_columns(
                visit_date=pl.lit(m0) + pl.duration(days=pl.Series(day)), visit_level=pl.lit("乡镇"),
                _keep=(pl.col("tekun_start") <= m0) & (pl.col("town_visit_skip") != mi + 1)))
        for wk in range(13):
            b0 = q.start + timedelta(days=7 * wk)
            b1 = min(b0 + timedelta(days=6), q.ref) if wk < 12 else q.ref
            span = (b1 - b0).days
            day = rng.integers(0, span + 1, n)
            visits.append(vb.with_columns(
                visit_date=pl.when(pl.col("village_visit_skip") == -1).then(pl.lit(b1)).otherwise(pl.lit(b0) + pl.duration(days=pl.Series(day))),
                visit_level=pl.lit("村"),
                # a skip of k weeks drops weeks 5..5+k-1; weeks wholly before the start month are not visited
                _keep=(pl.lit(b1) >= pl.col("tekun_start"))
                & ~((pl.col("village_visit_skip") > 0) & (pl.lit(wk) >= 5) & (pl.lit(wk) < 5 + pl.col("village_visit_skip").cast(pl.Int32))),
            ))
        vv = pl.concat(visits).filter("_keep").drop("_keep")
        vv = vv.with_columns(visitor=pl.when(pl.col("visit_level") == "村").then(pl.lit("村委会")).otherwise(pl.lit("乡镇民政办")))
        out["tekun_visit"] = vv.sort("uid", "visit_date").select(*base, "visit_date", "visitor", "visit_level")
    else:
        out["tekun_visit"] = pl.DataFrame(schema={**{c: pl.Utf8 for c in base}, "uid": pl.Int64, "visit_date": pl.Date, "visitor": pl.Utf8, "visit_level": pl.Utf8})

    # linshi, ertong
    out["linshi"] = linshi.join(X.select(*base), on="uid").sort("relief_date", "uid").select(*base, "relief_type", "amount", "relief_date", "reason")
    e = X.filter(pl.col("ertong") & pl.col("present"))
    out["ertong"] = e.sort("uid").select(*base, pl.col("ertong_category").alias("child_category"), pl.col("ertong_amount").alias("monthly_amount"),
                                          pl.col("ertong_start").alias("start_month"), _status("ertong_status").alias("status"))

    # liangbu
    lb = X.filter(((pl.col("living_amount") > 0) | (pl.col("care_amount") > 0)) & pl.col("present"))
    out["liangbu"] = lb.sort("uid").select(
        *base, _cert_number(X).alias("certificate_number"),
        pl.when(pl.col("living_amount") > 0).then(pl.col("living_amount")).alias("living_subsidy"),
        pl.when(pl.col("care_amount") > 0).then(pl.col("care_amount")).alias("care_subsidy"),
        pl.when(pl.col("stop_for_death")).then(pl.lit("停保")).otherwise(pl.col("liangbu_status")).alias("status"),
    ) if lb.height else X.head(0).select(*base, _cert_number(X).alias("certificate_number"), pl.lit(None, dtype=pl.Float64).alias("living_subsidy"), pl.lit(None, dtype=pl.Float64).alias("care_subsidy"), pl.lit("").alias("status"))

    # laonian: one row per subsidy type
    adv_amount = pl.lit(0.0)
    for frm, amt in reversed(ADVANCED):
        adv_amount = pl.when(pl.col("elig_age") >= frm).then(amt).otherwise(adv_amount)
    la = pl.concat([
        X.filter(pl.col("econ") & pl.col("present")).with_columns(subsidy_type=pl.lit("经济困难老年人补贴"), monthly_amount=pl.lit(ECON_ELDERLY)),
        X.filter(pl.col("adv") & pl.col("present")).with_columns(subsidy_type=pl.lit("高龄津贴"), monthly_amount=adv_amount),
    ])
    out["laonian"] = la.sort("uid", "subsidy_type").select(
        *base, "subsidy_type", "monthly_amount", pl.when(pl.col("stop_for_death")).then(pl.lit("停保")).otherwise(pl.lit("在保")).alias("status"))

    out["fafang"] = payments(X, out, q, rng)

    # siwang
    s = X.filter(pl.col("dead") | pl.col("siwang_listed"))
    out["siwang"] = s.sort("death_date", "uid").select(*base, "death_date", pl.col("death_source").fill_null("火化").alias("info_source"))

    # fupin
    f = X.filter(pl.col("registry"))
    dis = pl.when(pl.col("disability_override").is_not_null()).then(pl.col("disability_override")).otherwise(
        pl.when(pl.col("cert_in_force")).then(pl.col("cert_cat").cast(pl.Int32).replace_strict(list(range(1, 8)), list(DISABILITY_CATEGORIES), return_dtype=pl.Utf8)))
    nf = f.height
    out["fupin"] = f.sort("hh_id", "pos").select(
        "uid", pl.col("hh_number").alias("household_number"),
        (pl.col("hh_number") + pl.col("pos").cast(pl.Utf8).str.zfill(2)).alias("person_number"),
        "name", "id_number", "relation", pl.col("hh_type").alias("household_type"),
        pl.when(pl.col("hh_type") == "监测户").then(pl.col("monitor_category")).alias("monitor_category"),
        pl.when(pl.col("hh_type") == "监测户").then(pl.col("risk_eliminated")).alias("risk_eliminated"),
        "health", "labour_skill", dis.alias("disability_category"), pl.col("income_pc").alias("income_per_capita"),
        pl.when(pl.col("recv_dibao_override").is_not_null()).then(pl.col("recv_dibao_override"))
        .otherwise(pl.when(pl.col("dibao_in_force")).then(pl.lit("是")).otherwise(pl.lit("否"))).alias("receives_dibao"),
        pl.when(pl.col("tekun_in_force")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("receives_tekun"),
        pl.when(pl.col("insured")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("medical_insured"),
        *REGION,
        pl.lit(pl.Series(np.array(["小学", "初中", "高中", "文盲或半文盲", "大专及以上"])[rng.integers(0, 5, nf)])).alias("文化程度"),
        pl.when((pl.col("age") >= 16) & (pl.col("age") < 60)).then(pl.lit("省外务工")).otherwise(pl.lit("")).alias("务工状况"),
        pl.lit(pl.Series(["1" + str(x) for x in rng.integers(3_000_000_000, 9_999_999_999, nf)])).alias("联系电话"),
    ) if nf else X.head(0)

    # canlian
    c = X.filter(pl.col("cert"))
    out["canlian"] = c.sort("uid").select(
        *base, _cert_number(X).alias("certificate_number"),
        pl.col("cert_cat").cast(pl.Int32).replace_strict(list(range(1, 8)), list(DISABILITY_CATEGORIES), return_dtype=pl.Utf8).alias("disability_category"),
        pl.col("cert_grade").cast(pl.Int32).replace_strict([1, 2, 3, 4], list(GRADE_WORDS), return_dtype=pl.Utf8).alias("disability_grade"),
        pl.col("cert_issue").alias("issue_date"), pl.col("cert_status").alias("certificate_status"),
    )

    # yibao_canbao
    y = X.filter(pl.col("insured") & ~pl.col("died_before"))
    ident = (
        pl.when(pl.col("tekun_in_force")).then(pl.lit("特困人员"))
        .when(pl.col("ertong_in_force")).then(pl.when(pl.col("ertong_category") == "事实无人抚养儿童").then(pl.lit("事实无人抚养儿童")).otherwise(pl.lit("孤儿")))
        .when(pl.col("dibao_in_force")).then(pl.lit("低保对象"))
        .when(pl.col("is_sanlei")).then(pl.when(pl.col("hh_type") == "未脱贫户").then(pl.lit("返贫致贫人口")).otherwise(pl.col("monitor_category")))
        .when(pl.col("cert_in_force") & (pl.col("cert_grade") <= 2)).then(pl.lit("重度残疾人"))
    )
    subsidy = (
        pl.when(pl.col("subsidy_override").is_not_null()).then(pl.col("subsidy_override"))
        .when(pl.col("tekun_in_force") | pl.col("ertong_in_force")).then(CONTRIBUTION)
        .when(pl.col("dibao_in_force")).then(280.0)
        .when(pl.col("is_sanlei")).then(140.0)
        .when(pl.col("cert_in_force") & (pl.col("cert_grade") <= 2)).then(200.0)
        .otherwise(0.0)
    )
    out["yibao_canbao"] = y.sort("uid").select(
        *base, pl.col("insured_year").alias("insurance_year"), pl.col("insured_status").alias("insurance_status"),
        ident.alias("aid_identity"), pl.lit(CONTRIBUTION).alias("contribution"), subsidy.alias("subsidy_amount"))

    # yibao_jiesuan
    out["yibao_jiesuan"] = settlements.join(X.select(*base), on="uid").sort("settlement_date", "uid").select(
        *base, "settlement_date", "hospital", "diagnosis", "major_illness", "total_cost", "basic_fund",
        "critical_illness_fund", "medical_aid", "out_of_pocket")

    # name shown differently in one table (人证不符 / near misses)
    ov = X.filter(pl.col("name_override_table").is_not_null()).select("uid", "name_override_table", "name_override")
    for tname, g in ov.group_by("name_override_table"):
        tname = tname[0]
        if tname in out:
            m = dict(zip(g["uid"].to_list(), g["name_override"].to_list()))
            out[tname] = out[tname].with_columns(name=pl.col("uid").replace_strict(m, default=pl.col("name"), return_dtype=pl.Utf8))
    return out


def _cert_number(X: pl.DataFrame) -> pl.Expr:
    """第二代残疾人证号: the ID of ``cert_id_uid`` (column ``_cert_id``) + category digit + grade digit (+ B1/B2)."""
    return pl.concat_str([pl.col("_cert_id").fill_null(pl.col("id_number")), pl.col("cert_cat").cast(pl.Utf8),
                          pl.col("cert_grade").cast(pl.Utf8), pl.col("cert_suffix")])


def payments(X: pl.DataFrame, rosters: dict[str, pl.DataFrame], q: Q, rng: np.random.Generator) -> pl.DataFrame:
    """资金发放明细: one row per (person, item, month) owed, then the planted anomalies."""
    info = X.select("uid", "name", "id_number", *REGION, "death_date", "pay_skip", "pay_delta", "pay_dup", "pay_after_death", "pay_no_roster")
    owed = []
    d = rosters["dibao"].filter(pl.col("status").is_in(["在保", "渐退", ""]) | pl.col("status").is_null()).unique("head_id_number")
    # payee: the 户主, or while the 户主 is dead the first living covered member
    heads = X.filter(pl.col("pos") == 0).select("id_number", pl.col("uid").alias("payee"), pl.col("dead").alias("_head_dead"))
    d = d.join(heads, left_on="head_id_number", right_on="id_number", how="left")
    d = d.with_columns(payee=pl.when(pl.col("_head_dead")).then(pl.col("uid")).otherwise(pl.col("payee")))
    dstart = rosters["dibao"].group_by("head_id_number").agg(pl.col("start_month").min().alias("_start"))
    d = d.join(dstart, on="head_id_number", how="left")
    owed.append(d.select(pl.col("payee").alias("uid"), pl.lit("低保金").alias("item"), pl.col("household_monthly_amount").alias("amount"), pl.col("_start").alias("start")))
    in_force = pl.col("status").is_in(["在保", "渐退"]) | pl.col("status").is_null() | (pl.col("status") == "")
    dead_rows = pl.col("status") == "停保"  # 停保 in the quarter of death: paid through the death month
    t = rosters["tekun"]
    owed.append(t.filter(in_force | dead_rows).select("uid", pl.lit("特困供养金").alias("item"), pl.col("basic_standard").alias("amount"), pl.col("start_month").alias("start")))
    e = rosters["ertong"]
    owed.append(e.filter(in_force | dead_rows).select("uid", pl.when(pl.col("child_category") == "事实无人抚养儿童").then(pl.lit("事实无人抚养儿童生活补贴")).otherwise(pl.lit("孤儿基本生活费")).alias("item"),
                                                   pl.col("monthly_amount").alias("amount"), pl.col("start_month").alias("start")))
    lb = rosters["liangbu"].filter(in_force | dead_rows)
    owed.append(lb.filter(pl.col("living_subsidy") > 0).select("uid", pl.lit("残疾人生活补贴").alias("item"), pl.col("living_subsidy").alias("amount"), pl.lit(None, dtype=pl.Date).alias("start")))
    owed.append(lb.filter(pl.col("care_subsidy") > 0).select("uid", pl.lit("重度残疾人护理补贴").alias("item"), pl.col("care_subsidy").alias("amount"), pl.lit(None, dtype=pl.Date).alias("start")))
    la = rosters["laonian"].filter(in_force | dead_rows).group_by("uid").agg(pl.col("monthly_amount").sum().alias("amount"))
    owed.append(la.select("uid", pl.lit("老年人补贴").alias("item"), "amount", pl.lit(None, dtype=pl.Date).alias("start")))
    nr = X.filter(pl.col("pay_no_roster").is_not_null())
    owed.append(nr.select("uid", pl.col("pay_no_roster").alias("item"), pl.lit(800.0).alias("amount"), pl.lit(None, dtype=pl.Date).alias("start")))
    o = pl.concat([x.with_columns(pl.col("amount").cast(pl.Float64), pl.col("start").cast(pl.Date)) for x in owed]).filter(pl.col("uid").is_not_null())
    o = o.join(pl.DataFrame({"pay_month": q.months, "_mi": [1, 2, 3]}), how="cross").join(info, on="uid", how="left")
    death_month = pl.col("death_date").dt.truncate("1mo")
    o = o.filter(
        (pl.col("start").is_null() | (pl.col("start") <= pl.col("pay_month")))
        & (pl.col("death_date").is_null() | (pl.col("pay_month") <= death_month) | pl.col("pay_after_death"))
        & ~((pl.col("pay_skip") == pl.col("item")).fill_null(False) & (pl.col("_mi") == 2))
    )
    o = o.with_columns(amount=pl.when((pl.col("pay_delta") == pl.col("item")).fill_null(False) & (pl.col("_mi") == 1)).then(pl.col("amount") - 100.0).otherwise(pl.col("amount")))
    dup = o.filter((pl.col("pay_dup") == pl.col("item")).fill_null(False) & (pl.col("_mi") == 3))
    o = pl.concat([o, dup]).sort("pay_month", "item", "uid")
    return o.with_columns(account=pl.lit("6217") + (pl.col("uid") * 7919 + 100_000_000_000).cast(pl.Utf8).str.zfill(15)).select(
        "uid", "name", "id_number", *REGION, "item", "pay_month", "amount", "account")
