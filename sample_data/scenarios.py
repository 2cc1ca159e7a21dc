"""The planted scenarios: for every rule of rules.md, true cases and near misses.

Each variant names the household structure it needs, optional base changes (birth dates,
deaths: the same in every quarter) and the changes of a quarter.  It returns which persons are
cases (``C``), near misses (``N``) and which other rules the set-up also fires (``A``)."""

from __future__ import annotations

from datetime import timedelta

from .names import traditional
from .plant import BaseWorld, Members, QWorld, Variant, d
from .policy import annual_standard, policy
from .quarters import add_months, years_before

STD12 = annual_standard()
LOW = policy()["low_income_multiple"] * STD12
EXIT = policy()["exit_income_multiple"] * STD12
RELIEF = policy()["expense_relief_multiple"] * STD12
KEY, LOWR = policy()["aid_ratio_key"], policy()["aid_ratio_low_income"]
URGENT = float(policy()["urgent_out_of_pocket"])
GRAD = policy()["gradual_exit_months"]
OLD, ADV = policy()["elderly_min_age"], policy()["advanced_age"]
STD_ORPHAN = policy()["orphan_standard"]


def C(code, uids): return (code, list(uids), "case")
def N(code, uids): return (code, list(uids), "near")
def A(code, uids): return (code, list(uids), "also")


def registry(w: QWorld, m: Members, hh_type="脱贫户", income=25_000.0, risk="", monitor=""):
    hids = sorted(set(m.frame["hh_id"].to_list()))
    w.hset(hids, registry=True, hh_type=hh_type, income_pc=income, risk_eliminated=risk, monitor_category=monitor)


def sanlei(w, m, income=25_000.0):
    registry(w, m, "监测户", income, "否", "突发严重困难户")


def dibao(w: QWorld, m: Members, cat="一类", status="在保", single_uid=None, income=None, start=None):
    hids = sorted(set(m.frame["hh_id"].to_list()))
    vals = dict(dibao=True, dibao_category=cat, dibao_status=status, single_coverage=single_uid is not None)
    if income is not None:
        vals["income_pc"] = income
    if start is not None:
        vals["dibao_start"] = start
    w.hset(hids, **vals)
    if single_uid is not None:
        w.pset(m.all(), dibao_covered=False)
        w.pset(single_uid, dibao_covered=True)


def cert(w, uids, cat=4, grade=1, status="正常"):
    w.pset(uids, cert=True, cert_cat=cat, cert_grade=grade, cert_status=status,
           health="残疾" if status == "正常" else "健康")


def tekun(w, uids, mode="分散供养", care="全自理", carer=True, start=None):
    w.pset(uids, tekun=True, tekun_mode=mode, self_care=care, tekun_status="在保", care_agreement="是" if carer else None)
    if start is not None:
        w.pset(uids, tekun_start=start)
    if not carer:
        w.pset(uids, carer_uid=None)


def _carers(w: QWorld, uids):
    """A neighbour as carer: the head of the household before."""
    hh = w.P.filter(w.P["uid"].is_in(uids)).select("uid", "hh_id")
    heads = w.heads.filter(w.heads["hh_id"].is_in([h + k for h in hh["hh_id"].to_list() for k in (-1, 1)]))
    hmap = dict(zip(heads["hh_id"].to_list(), heads["uid"].to_list()))
    own = dict(zip(hh["uid"].to_list(), hh["hh_id"].to_list()))
    return [hmap.get(own[u] - 1, hmap.get(own[u] + 1)) for u in uids]


def tekun_with_carer(w, uids, **kw):
    tekun(w, uids, **kw)
    w.pset(uids, carer_uid=_carers(w, uids))


def set_age(b: BaseWorld, uids, years: int, days_after: int = 0):
    """Birth date so that the person turns ``years`` on last_ref + days_after."""
    b.pset(uids, birth_date=years_before(b.last_ref + timedelta(days=days_after), years))


VARIANTS: list[Variant] = []


def variant(rule, name, near=False, structure="any", mode="rotate", base=None, per_instance=1):
    def deco(fn):
        VARIANTS.append(Variant(rule, name, near, structure, fn, base, mode, per_instance))
        return fn
    return deco


# ---- sieve 1 ---------------------------------------------------------------------------
@variant("S1-1", "三类 重残 not covered", structure="size2")
def _(w, m):
    sanlei(w, m); h = m.heads(); cert(w, h, 4, 1); return [C("S1-1", h)]

@variant("S1-1", "未脱贫户 患有大病 not covered", structure="size2")
def _(w, m):
    registry(w, m, "未脱贫户"); h = m.heads(); w.pset(h, health="患有大病"); return [C("S1-1", h)]

@variant("S1-1", "risk eliminated, 重残", near=True, structure="size2")
def _(w, m):
    registry(w, m, "监测户", 25_000.0, "是", "边缘易致贫户"); h = m.heads(); cert(w, h, 4, 1); return [N("S1-1", h)]

@variant("S1-1", "三类, grade 3 only", near=True, structure="size2")
def _(w, m):
    sanlei(w, m); h = m.heads(); cert(w, h, 4, 3); return [N("S1-1", h)]

@variant("S1-2", "low income 重残")
def _(w, m):
    registry(w, m, income=9_000.0); h = m.heads(); cert(w, h, 5, 2); return [C("S1-2", h)]

@variant("S1-2", "income exactly at the line", near=True)
def _(w, m):
    registry(w, m, income=round(LOW, 2)); h = m.heads(); cert(w, h, 5, 2); return [N("S1-2", h)]

@variant("S1-2", "low income, grade 3", near=True)
def _(w, m):
    registry(w, m, income=9_000.0); h = m.heads(); cert(w, h, 4, 3); return [N("S1-2", h)]

@variant("S1-3", "low income 患有大病")
def _(w, m):
    registry(w, m, income=9_000.0); h = m.heads(); w.pset(h, health="患有大病"); return [C("S1-3", h)]

@variant("S1-3", "low income, 尿毒症 settlement with blank flag")
def _(w, m):
    registry(w, m, income=9_000.0); h = m.heads()
    w.settle(h, d(w.q, 20), 30_000.0, 21_000.0, 0.0, 1_000.0, diagnosis="慢性肾衰竭(尿毒症期)", major=None, critical=8_000.0)
    return [C("S1-3", h), A("Y-4", h)]

@variant("S1-3", "low income 长期慢性病", near=True)
def _(w, m):
    registry(w, m, income=9_000.0); h = m.heads(); w.pset(h, health="长期慢性病"); return [N("S1-3", h)]

@variant("S1-3", "大病 at the income line", near=True)
def _(w, m):
    registry(w, m, income=round(LOW, 2)); h = m.heads(); w.pset(h, health="患有大病"); return [N("S1-3", h)]

@variant("S1-4", "单人户施保 without 重残/重病", structure="size2")
def _(w, m):
    u = m.last(); dibao(w, m, single_uid=u); return [C("S1-4", u)]

@variant("S1-4", "单人户施保, major settlement just over 12 months ago", structure="size2")
def _(w, m):
    u = m.last(); dibao(w, m, single_uid=u)
    w.settle(u, years_before(w.q.ref, 1), 40_000.0, 25_000.0, 3_500.0, 1_500.0, diagnosis="肺恶性肿瘤", major="是", critical=10_000.0)
    return [C("S1-4", u)]

@variant("S1-4", "单人户施保, major settlement just inside 12 months", near=True, structure="size2")
def _(w, m):
    u = m.last(); dibao(w, m, single_uid=u)
    w.settle(u, years_before(w.q.ref, 1) + timedelta(days=1), 40_000.0, 25_000.0, 3_500.0, 1_500.0, diagnosis="肺恶性肿瘤", major="是", critical=10_000.0)
    return [N("S1-4", u)]

@variant("S1-4", "单人户施保 of a grade 2 certificate", near=True, structure="size2")
def _(w, m):
    u = m.last(); dibao(w, m, single_uid=u); cert(w, u, 6, 2); return [N("S1-4", u)]

# ---- sieve 2 ---------------------------------------------------------------------------
@variant("S2-1", "未脱贫户 below the standard")
def _(w, m):
    registry(w, m, "未脱贫户", 6_000.0); return [C("S2-1", m.heads())]

@variant("S2-1", "监测户 a cent below the standard")
def _(w, m):
    sanlei(w, m, round(STD12 - 0.01, 2)); return [C("S2-1", m.heads())]

@variant("S2-1", "三类 exactly at the standard", near=True)
def _(w, m):
    sanlei(w, m, round(STD12, 2)); return [N("S2-1", m.heads())]

@variant("S2-1", "risk eliminated, low income", near=True)
def _(w, m):
    registry(w, m, "监测户", 6_000.0, "是", "脱贫不稳定户"); return [N("S2-1", m.heads())]

@variant("S2-2", "三类 alone, 丧失劳动力, 60+", structure="alone_old")
def _(w, m):
    sanlei(w, m, 9_000.0); h = m.heads(); w.pset(h, labour_skill="丧失劳动力"); return [C("S2-2", h)]

@variant("S2-2", "三类 old, with an able member", near=True, structure="two_adults")
def _(w, m):
    sanlei(w, m, 9_000.0); h = m.oldest(); w.pset(h, labour_skill="丧失劳动力"); return [N("S2-2", h)]

@variant("S2-2", "三类 alone, 丧失劳动力, in 特困", near=True, structure="alone_old")
def _(w, m):
    sanlei(w, m, 9_000.0); h = m.heads(); w.pset(h, labour_skill="丧失劳动力"); tekun(w, h, mode="集中供养"); return [N("S2-2", h)]

@variant("S2-3", "三类 one settlement over the line")
def _(w, m):
    sanlei(w, m, 30_000.0); h = m.heads(); w.settle(h, d(w.q, 30), 20_000.0, 12_000.0, 0.0, 8_000.0)
    return [C("S2-3", h), A("Y-3", h)]

@variant("S2-3", "三类 two settlements summing exactly the line")
def _(w, m):
    sanlei(w, m, 30_000.0); h = m.heads(); half = URGENT / 2
    w.settle(h, d(w.q, 10), half * 2.5, half * 1.5, 0.0, half); w.settle(h, d(w.q, 60), half * 2.5, half * 1.5, 0.0, half)
    return [C("S2-3", h), A("Y-3", h)]

@variant("S2-3", "三类 a cent under the line", near=True)
def _(w, m):
    sanlei(w, m, 30_000.0); h = m.heads(); w.settle(h, d(w.q, 40), 12_000.0, 12_000.0 - URGENT + 0.01, 0.0, URGENT - 0.01)
    return [N("S2-3", h), A("Y-3", h)]

@variant("S2-3", "三类 over the line but 临时救助 given", near=True)
def _(w, m):
    sanlei(w, m, 30_000.0); h = m.heads(); w.settle(h, d(w.q, 20), 20_000.0, 12_000.0, 0.0, 8_000.0); w.relief(h, d(w.q, 50), 3_000.0)
    return [N("S2-3", h), A("Y-3", h)]

# ---- sieve 3 ---------------------------------------------------------------------------
def _kid_age(years, days_after=0):
    def base(b: BaseWorld, m: Members):
        set_age(b, m.kid(), years, days_after)
    return base

@variant("S3-1", "ertong child 18 on the reference date", structure="kid", mode="all", base=_kid_age(18))
def _(w, m):
    k = m.kid(); w.pset(k, ertong=True, ertong_category="事实无人抚养儿童")
    return [C("S3-1", k)] if _is_last(w) else [N("S3-1", k)]

@variant("S3-1", "ertong child over 18", structure="kid", base=_kid_age(18, -100))
def _(w, m):
    k = m.kid(); w.pset(k, ertong=True, ertong_category="社会散居孤儿"); return [C("S3-1", k)]

@variant("S3-1", "ertong child 17, birthday tomorrow", near=True, structure="kid", mode="all", base=_kid_age(18, 1))
def _(w, m):
    k = m.kid(); w.pset(k, ertong=True, ertong_category="事实无人抚养儿童"); return [N("S3-1", k)]

def _parents_dead(b: BaseWorld, m: Members):
    b.pset(m.heads(), death_date=b.last_ref - timedelta(days=400), death_source="火化")
    b.pset(m.spouses(), death_date=b.last_ref - timedelta(days=300), death_source="公安")

@variant("S3-2", "both parents dead", structure="family", base=_parents_dead)
def _(w, m):
    registry(w, m); return [C("S3-2", m.young_children())]

def _father_dead(b: BaseWorld, m: Members):
    b.pset(m.heads(), death_date=b.last_ref - timedelta(days=500), death_source="火化")

@variant("S3-2", "father dead, mother 重残", structure="family", base=_father_dead)
def _(w, m):
    registry(w, m); cert(w, m.spouses(), 6, 1); return [C("S3-2", m.young_children())]

def _mother_dies_later(b: BaseWorld, m: Members):
    b.pset(m.heads(), death_date=b.last_ref - timedelta(days=500), death_source="火化")
    b.pset(m.spouses(), death_date=b.last_ref + timedelta(days=1), death_source="卫健", siwang_listed=True)

@variant("S3-2", "mother dies after the reference date", near=True, structure="family", base=_mother_dies_later)
def _(w, m):
    registry(w, m); return [N("S3-2", m.young_children())]

@variant("S3-2", "both dead, child in ertong", near=True, structure="family", base=_parents_dead)
def _(w, m):
    registry(w, m); k = m.young_children(); w.pset(k, ertong=True, ertong_category="社会散居孤儿"); return [N("S3-2", k)]

@variant("S3-3", "社会散居孤儿 under the standard", structure="kid")
def _(w, m):
    k = m.kid(); w.pset(k, ertong=True, ertong_category="社会散居孤儿", ertong_amount=STD_ORPHAN["社会散居孤儿"] - 200.0); return [C("S3-3", k)]

@variant("S3-3", "集中养育孤儿 a cent under", structure="kid")
def _(w, m):
    k = m.kid(); w.pset(k, ertong=True, ertong_category="集中养育孤儿", ertong_amount=STD_ORPHAN["集中养育孤儿"] - 0.01); return [C("S3-3", k)]

@variant("S3-3", "事实无人抚养儿童 exactly the standard", near=True, structure="kid")
def _(w, m):
    k = m.kid(); w.pset(k, ertong=True, ertong_category="事实无人抚养儿童", ertong_amount=float(STD_ORPHAN["事实无人抚养儿童"])); return [N("S3-3", k)]

# ---- sieve 4 ---------------------------------------------------------------------------
@variant("S4-1", "低保 with certificate, no 生活补贴")
def _(w, m):
    dibao(w, m); h = m.heads(); cert(w, h, 4, 3); w.pset(h, living_override=-1.0); return [C("S4-1", h)]

@variant("S4-1", "低保 grade 1 视力: 护理补贴 only")
def _(w, m):
    dibao(w, m, "二类"); h = m.heads(); cert(w, h, 1, 1); w.pset(h, living_override=-1.0); return [C("S4-1", h)]

@variant("S4-1", "低保 stopped, certificate, no 生活补贴", near=True)
def _(w, m):
    dibao(w, m, status="停保"); h = m.heads(); cert(w, h, 4, 3); return [N("S4-1", h)]

@variant("S4-1", "低保 with cancelled certificate", near=True)
def _(w, m):
    dibao(w, m); h = m.heads(); cert(w, h, 4, 3, "注销"); return [N("S4-1", h)]

@variant("S4-2", "grade 1 肢体 without 护理补贴")
def _(w, m):
    h = m.heads(); cert(w, h, 4, 1); w.pset(h, care_override=-1.0); return [C("S4-2", h)]

@variant("S4-2", "grade 2 精神 without 护理补贴")
def _(w, m):
    h = m.heads(); cert(w, h, 6, 2); w.pset(h, care_override=-1.0); return [C("S4-2", h)]

@variant("S4-2", "grade 3 肢体: no 护理补贴 due", near=True)
def _(w, m):
    h = m.heads(); cert(w, h, 4, 3); return [N("S4-2", h)]

@variant("S4-2", "grade 2 听力 with its 50", near=True)
def _(w, m):
    h = m.heads(); cert(w, h, 2, 2); return [N("S4-2", h)]

@variant("S4-3", "grade 1 智力 paid 50")
def _(w, m):
    h = m.heads(); cert(w, h, 5, 1); w.pset(h, care_override=50.0); return [C("S4-3", h)]

@variant("S4-3", "三类 低保 paid 生活补贴 100")
def _(w, m):
    dibao(w, m, "三类"); h = m.heads(); cert(w, h, 4, 4); w.pset(h, living_override=100.0); return [C("S4-3", h)]

@variant("S4-3", "grade 1 听力 paid 50, 一类 低保 paid 100", near=True)
def _(w, m):
    dibao(w, m, "一类"); h = m.heads(); cert(w, h, 2, 1); return [N("S4-3", h)]

@variant("S4-4", "生活补贴 on a cancelled certificate")
def _(w, m):
    dibao(w, m); h = m.heads(); cert(w, h, 4, 3, "注销"); w.pset(h, living_override=100.0); return [C("S4-4", h)]

@variant("S4-4", "生活补贴 without 低保")
def _(w, m):
    h = m.heads(); cert(w, h, 4, 3); w.pset(h, living_override=100.0); return [C("S4-4", h)]

@variant("S4-4", "护理补贴 for grade 3")
def _(w, m):
    h = m.heads(); cert(w, h, 4, 3); w.pset(h, care_override=50.0); return [C("S4-4", h)]

@variant("S4-4", "cancelled certificate, 两项补贴 stopped", near=True)
def _(w, m):
    dibao(w, m); h = m.heads(); cert(w, h, 4, 3, "注销"); w.pset(h, living_override=100.0, liangbu_status="停保"); return [N("S4-4", h)]

@variant("S4-5", "certificate under another person's ID")
def _(w, m):
    h = m.heads(); cert(w, h, 4, 3); w.pset(h, cert_id_uid=[u + 1 for u in h]); return [C("S4-5", h)]

@variant("S4-5", "certificate ID part with a one-digit slip of the person's own ID")
def _(w, m):
    h = m.heads(); cert(w, h, 4, 3); w.pset(h, cert_id_uid=[-u for u in h]); return [C("S4-5", h)]

@variant("S4-5", "same ID, another name in 医保")
def _(w, m):
    registry(w, m); h = m.heads(); w.pset(h, name_override_table="yibao_canbao", name_override="欧阳春华"); return [C("S4-5", h)]

@variant("S4-5", "same person in traditional characters / other separator", near=True)
def _(w, m):
    h = m.heads(); cert(w, h, 4, 3)
    sub = w.P.filter(w.P["uid"].is_in(h)); names = dict(zip(sub["uid"].to_list(), sub["name"].to_list()))
    alt = [traditional(names.get(u, "")) if "·" not in names.get(u, "") else names[u].replace("·", "•") for u in h]
    w.pset(h, name_override_table="canlian", name_override=alt); return [N("S4-5", h)]

@variant("S4-6", "registry 残疾 without certificate")
def _(w, m):
    registry(w, m); h = m.heads(); w.pset(h, health="残疾"); return [C("S4-6", h)]

@variant("S4-6", "registry 残疾类别 filled, certificate cancelled")
def _(w, m):
    registry(w, m); h = m.heads(); cert(w, h, 2, 3, "注销"); w.pset(h, disability_override="听力"); return [C("S4-6", h)]

@variant("S4-6", "registry 残疾 with a certificate", near=True)
def _(w, m):
    registry(w, m); h = m.heads(); cert(w, h, 4, 4); return [N("S4-6", h)]

# ---- sieve 5 ---------------------------------------------------------------------------
@variant("S5-1", "低保 head 60+ without 经济困难老年人补贴", structure="head60")
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, econ_suppress=True); return [C("S5-1", h)]

def _head_age(years, days_after=0):
    def base(b, m):
        set_age(b, m.heads(), years, days_after)
    return base

@variant("S5-1", "低保 head 60 on the reference date", mode="last", base=_head_age(OLD))
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, econ_suppress=True); return [C("S5-1", h)]

@variant("S5-1", "低保 head 59, birthday tomorrow", near=True, mode="all", base=_head_age(OLD, 1))
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, econ_suppress=True); return [N("S5-1", h)]

@variant("S5-1", "70, not covered, no subsidy", near=True, structure="head60")
def _(w, m):
    registry(w, m, "监测户", 25_000.0, "是", "边缘易致贫户"); return [N("S5-1", m.heads())]

@variant("S5-2", "82+ without 高龄津贴", structure="old82")
def _(w, m):
    o = m.oldest(); w.pset(o, adv_suppress=True); return [C("S5-2", o)]

@variant("S5-2", "80 on the reference date", mode="last", base=_head_age(ADV))
def _(w, m):
    h = m.heads(); w.pset(h, adv_suppress=True); return [C("S5-2", h)]

@variant("S5-2", "79, birthday tomorrow", near=True, mode="all", base=_head_age(ADV, 1))
def _(w, m):
    return [N("S5-2", m.heads())]

# ---- sieve 6 ---------------------------------------------------------------------------
@variant("S6-1", "分散供养 without 照料人", structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, carer=False); return [C("S6-1", h)]

@variant("S6-1", "分散供养 照料人 without agreement", structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h); w.pset(h, care_agreement="否"); return [C("S6-1", h)]

@variant("S6-1", "集中供养 without 照料人", near=True, structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); return [N("S6-1", h)]

@variant("S6-2", "a month without a 乡镇 visit", structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h); w.pset(h, town_visit_skip=2); return [C("S6-2", h)]

@variant("S6-2", "started in the quarter's last month", near=True, structure="single_old", mode="last")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h, start=w.q.months[2]); return [N("S6-2", h), N("S6-3", h), N("S8-1", h)]

@variant("S6-2", "集中供养, no visits", near=True, structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); return [N("S6-2", h), N("S6-3", h)]

@variant("S6-3", "one week without a 村 visit", structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h); w.pset(h, village_visit_skip=1); return [C("S6-3", h)]

@variant("S6-3", "three weeks without a 村 visit", structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h); w.pset(h, village_visit_skip=3); return [C("S6-3", h)]

@variant("S6-3", "every week visited on its last day", near=True, structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h); w.pset(h, village_visit_skip=-1); return [N("S6-3", h)]

@variant("S6-3", "started in the quarter's second month", near=True, structure="single_old", mode="last")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h, start=w.q.months[1]); return [N("S6-3", h), N("S6-2", h)]

@variant("S6-4", "分散供养 全失能", structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h, care="全失能"); return [C("S6-4", h)]

@variant("S6-4", "集中供养 全失能", near=True, structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", care="全失能", carer=False); return [N("S6-4", h)]

@variant("S6-4", "分散供养 半失能", near=True, structure="single_old")
def _(w, m):
    h = m.heads(); tekun_with_carer(w, h, care="半失能"); return [N("S6-4", h)]

# ---- sieve 7 ---------------------------------------------------------------------------
def _dies(who: str, days_from_last_ref: int, listed=False):
    def base(b: BaseWorld, m: Members):
        u = getattr(m, who)()
        b.pset(u, death_date=b.last_ref + timedelta(days=days_from_last_ref), death_source="火化", siwang_listed=listed)
    return base

@variant("S7-1", "dead 低保 member still in force", structure="size2", mode="all", base=_dies("last", -200))
def _(w, m):
    dibao(w, m); u = m.last(); w.pset(u, ghost=True); return [C("S7-1", u)]

@variant("S7-1", "特困 dead on the reference date", structure="single_old", mode="last", base=_dies("heads", 0))
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); w.pset(h, ghost=True); return [C("S7-1", h)]

@variant("S7-1", "高龄 dead, 老年人补贴 in force", structure="old82", mode="all", base=_dies("oldest", -150))
def _(w, m):
    o = m.oldest(); w.pset(o, ghost=True); return [C("S7-1", o)]

@variant("S7-1", "特困 dies after the reference date", near=True, structure="single_old", mode="all", base=_dies("heads", 3, True))
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); return [N("S7-1", h)]

@variant("S7-1", "dead 低保 member stopped", near=True, structure="size2", mode="all", base=_dies("last", -150))
def _(w, m):
    dibao(w, m); return [N("S7-1", m.last())]

@variant("S7-2", "低保 household over the income line")
def _(w, m):
    registry(w, m, income=9_000.0); dibao(w, m); return [C("S7-2", m.heads())]

@variant("S7-2", "低保 household exactly at the line", near=True)
def _(w, m):
    registry(w, m, income=round(EXIT, 2)); dibao(w, m); return [N("S7-2", m.heads())]

@variant("S7-2", "低保 household over the line, already 渐退", near=True)
def _(w, m):
    registry(w, m, income=9_000.0); dibao(w, m, status="渐退"); w.hset(sorted(set(m.frame["hh_id"].to_list())), gradual_start=add_months(w.q.ref_month, -3))
    return [N("S7-2", m.heads()), N("S7-3", m.heads())]

def _is_last(w: QWorld) -> bool:
    return w.q == w.last_q  # type: ignore[attr-defined]

@variant("S7-3", "渐退 due exactly this quarter (the last)", mode="all")
def _(w, m):
    dibao(w, m, status="渐退", income=8_000.0); hids = sorted(set(m.frame["hh_id"].to_list()))
    w.hset(hids, gradual_start=add_months(w.last_q.ref_month, -GRAD))
    u = m.all()
    return [C("S7-3", u)] if _is_last(w) else [N("S7-3", u)]

@variant("S7-3", "渐退 long over", mode="all")
def _(w, m):
    dibao(w, m, status="渐退", income=8_000.0); hids = sorted(set(m.frame["hh_id"].to_list()))
    w.hset(hids, gradual_start=add_months(w.first_q.ref_month, -GRAD - 1)); return [C("S7-3", m.all())]

@variant("S7-3", "渐退 still running", near=True, mode="all")
def _(w, m):
    dibao(w, m, status="渐退", income=8_000.0); hids = sorted(set(m.frame["hh_id"].to_list()))
    w.hset(hids, gradual_start=add_months(w.last_q.ref_month, 1 - GRAD)); return [N("S7-3", m.all())]

@variant("S7-4", "in two 低保 households", per_instance=2)
def _(w, m):
    dibao(w, m); h = m.heads(); one, other = h[0::2], h[1::2]
    w.pset(one, second_dibao_head=other); return [C("S7-4", one)]

@variant("S7-4", "in 低保 and 特困")
def _(w, m):
    dibao(w, m); h = m.heads(); tekun(w, h, mode="集中供养", carer=False); return [C("S7-4", h)]

@variant("S7-4", "second 低保 household stopped", near=True, per_instance=2)
def _(w, m):
    dibao(w, m); h = m.heads(); one, other = h[0::2], h[1::2]
    w.hset(m.hh_of(other), dibao_status="停保"); w.pset(one, second_dibao_head=other); return [N("S7-4", one)]

@variant("S7-5", "registry says 否, person in 低保")
def _(w, m):
    registry(w, m, income=5_000.0); dibao(w, m); h = m.heads(); w.pset(h, recv_dibao_override="否"); return [C("S7-5", h)]

@variant("S7-5", "registry says 是, person not in 低保")
def _(w, m):
    registry(w, m); h = m.heads(); w.pset(h, recv_dibao_override="是"); return [C("S7-5", h)]

@variant("S7-5", "registry says 是, household in 渐退", near=True)
def _(w, m):
    registry(w, m, income=8_000.0); dibao(w, m, status="渐退"); w.hset(sorted(set(m.frame["hh_id"].to_list())), gradual_start=add_months(w.q.ref_month, -2))
    return [N("S7-5", m.heads())]

# ---- sieve 8 ---------------------------------------------------------------------------
@variant("S8-1", "低保金 missing a month")
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, pay_skip="低保金"); return [C("S8-1", h)]

@variant("S8-1", "老年人补贴 missing a month", structure="old82")
def _(w, m):
    o = m.oldest(); w.pset(o, pay_skip="老年人补贴"); return [C("S8-1", o)]

@variant("S8-1", "低保 from the quarter's second month", near=True, mode="last")
def _(w, m):
    dibao(w, m, start=w.q.months[1]); return [N("S8-1", m.heads())]

@variant("S8-2", "低保金 100 short once")
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, pay_delta="低保金"); return [C("S8-2", h)]

@variant("S8-2", "特困供养金 wrong once", structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); w.pset(h, pay_delta="特困供养金"); return [C("S8-2", h)]

@variant("S8-2", "老年人补贴 paid as the sum of two rows", near=True, structure="old82")
def _(w, m):
    dibao(w, m); return [N("S8-2", m.oldest())]

def _dies_in_month(month_index: int, last_day=False):
    def base(b: BaseWorld, m: Members):
        first = add_months(b.last_ref.replace(day=1), month_index - 2)
        day = add_months(first, 1) - timedelta(days=1) if last_day else first + timedelta(days=9)
        b.pset(m.oldest(), death_date=day, death_source="火化")
    return base

@variant("S8-3", "paid after death", structure="old82", mode="last", base=_dies_in_month(0))
def _(w, m):
    o = m.oldest(); w.pset(o, pay_after_death=True); return [C("S8-3", o)]

@variant("S8-3", "died on the last day of a month, paid that month", near=True, structure="old82", mode="last", base=_dies_in_month(1, True))
def _(w, m):
    return [N("S8-3", m.oldest())]

@variant("S8-4", "特困供养金 to a person in no 特困 roster")
def _(w, m):
    h = m.heads(); w.pset(h, pay_no_roster="特困供养金"); return [C("S8-4", h)]

@variant("S8-4", "低保金 to an uncovered 户主 of 单人户施保", near=True, structure="size2")
def _(w, m):
    u = m.last(); dibao(w, m, single_uid=u); cert(w, u, 4, 1); return [N("S8-4", m.heads())]

@variant("S8-5", "低保金 paid twice in a month")
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, pay_dup="低保金"); return [C("S8-5", h)]

@variant("S8-5", "低保金 and 残疾人生活补贴 in one month", near=True)
def _(w, m):
    dibao(w, m); h = m.heads(); cert(w, h, 4, 3); return [N("S8-5", h)]

# ---- 医保 ------------------------------------------------------------------------------
@variant("Y-1", "低保 member not insured")
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, insured=False); return [C("Y-1", h)]

@variant("Y-1", "三类 insured only last year")
def _(w, m):
    sanlei(w, m); h = m.heads(); w.pset(h, insured_year=w.q.ref.year - 1); return [C("Y-1", h)]

@variant("Y-1", "特困 insurance suspended", structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); w.pset(h, insured_status="暂停"); return [C("Y-1", h)]

@variant("Y-1", "脱贫户 (not 三类) not insured", near=True)
def _(w, m):
    registry(w, m); h = m.heads(); w.pset(h, insured=False); return [N("Y-1", h)]

@variant("Y-2", "特困 subsidised 200", structure="single_old")
def _(w, m):
    h = m.heads(); tekun(w, h, mode="集中供养", carer=False); w.pset(h, subsidy_override=200.0); return [C("Y-2", h)]

@variant("Y-2", "低保 subsidised below the line")
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, subsidy_override=float(policy()["subsidy_dibao"]) - 20); return [C("Y-2", h)]

@variant("Y-2", "低保 and 三类 subsidised exactly the line", near=True)
def _(w, m):
    dibao(w, m); h = m.heads(); w.pset(h, subsidy_override=float(policy()["subsidy_dibao"])); return [N("Y-2", h)]

@variant("Y-3", "低保 settlement with too little 医疗救助")
def _(w, m):
    dibao(w, m); h = m.heads(); w.settle(h, d(w.q, 25), 10_000.0, 6_000.0, 2_000.0, 2_000.0); return [C("Y-3", h)]

@variant("Y-3", "三类 settlement with too little 医疗救助")
def _(w, m):
    sanlei(w, m); h = m.heads(); w.settle(h, d(w.q, 45), 10_000.0, 6_000.0, 1_000.0, 3_000.0); return [C("Y-3", h)]

@variant("Y-3", "低保 settlement exactly ratio - 1 元", near=True)
def _(w, m):
    dibao(w, m); h = m.heads(); aid = round(KEY * 4_000.0 - 1, 2)
    w.settle(h, d(w.q, 35), 10_000.0, 6_000.0, aid, round(4_000.0 - aid, 2)); return [N("Y-3", h)]

@variant("Y-3", "三类 settlement exactly ratio - 1 元", near=True)
def _(w, m):
    sanlei(w, m); h = m.heads(); aid = round(LOWR * 4_000.0 - 1, 2)
    w.settle(h, d(w.q, 55), 10_000.0, 6_000.0, aid, round(4_000.0 - aid, 2)); return [N("Y-3", h)]

@variant("Y-3", "低保 settlement at ratio - 1 元 to the cent, one float ulp above it", near=True)
def _(w, m):
    # 0.8 x (5321.52 - 2831.52) - 1 is 1991.0000000000005 in floating point: money compares to the cent
    dibao(w, m); h = m.heads(); total, basic = 5_321.52, 2_831.52; aid = round(KEY * (total - basic) - 1, 2)
    w.settle(h, d(w.q, 38), total, basic, aid, round(total - basic - aid, 2)); return [N("Y-3", h)]

def _burden(w, m, income, per_person):
    registry(w, m, income=income); h = m.heads(); size = m.frame.height // max(1, len(h))
    sizes = m.frame.group_by("hh_id").len().sort("hh_id")
    for uid, (hid, n) in zip(h, sizes.iter_rows()):
        oop = round(per_person * n, 2)
        w.settle([uid], d(w.first_q, -100), oop * 2, oop, 0.0, oop)
    return h

@variant("Y-4", "支出型: after costs below 2 x standard")
def _(w, m):
    h = _burden(w, m, 16_000.0, 6_000.0); return [C("Y-4", h)]

@variant("Y-4", "支出型: low income, after costs below the standard")
def _(w, m):
    h = _burden(w, m, 9_000.0, 3_000.0); return [C("Y-4", h)]

@variant("Y-4", "after costs exactly 2 x standard", near=True)
def _(w, m):
    h = _burden(w, m, 20_000.0, 20_000.0 - RELIEF); return [N("Y-4", h)]
