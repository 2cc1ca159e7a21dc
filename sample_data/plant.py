"""Machinery for planting scenarios: reserving households, setting world columns in batches,
adding events, and recording which rule each planted person is a case (or a near miss) of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np
import polars as pl

from .county import age_at
from .quarters import Q

ABLE_DEFAULT = {"young": "无劳动力", "adult": "普通劳动力", "old": "弱劳动力或半劳动力"}


def _update(frame: pl.DataFrame, key: str, ids, vals: dict) -> pl.DataFrame:
    """Set columns of the rows whose ``key`` is in ids; a value is a scalar or a list aligned with ids."""
    ids = list(ids)
    if not ids:
        return frame
    data = {key: pl.Series(key, ids, dtype=frame.schema[key])}
    for col, v in vals.items():
        dtype = frame.schema[col]
        data[col] = pl.Series(col, list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v] * len(ids), dtype=dtype)
    upd = pl.DataFrame(data).unique(key, keep="last")
    return frame.update(upd, on=key, how="left", include_nulls=True)


@dataclass
class QWorld:
    """One quarter's world while scenarios are applied."""

    q: Q
    H: pl.DataFrame
    P: pl.DataFrame
    first_q: Q
    last_q: Q
    heads: pl.DataFrame  # hh_id, uid of every household head in the county (for neighbours)
    settlements: list[dict] = field(default_factory=list)
    linshi: list[dict] = field(default_factory=list)

    def hset(self, hids, **vals) -> None:
        self.H = _update(self.H, "hh_id", hids, vals)

    def pset(self, uids, **vals) -> None:
        self.P = _update(self.P, "uid", uids, vals)

    def settle(self, uids, when: date, total: float, basic: float, aid: float, oop: float,
               diagnosis: str = "骨折", major: str | None = "否", critical: float = 0.0) -> None:
        for u in uids:
            self.settlements.append(dict(uid=int(u), settlement_date=when, diagnosis=diagnosis, major_illness=major,
                                         total_cost=total, basic_fund=basic, critical_illness_fund=critical,
                                         medical_aid=aid, out_of_pocket=oop))

    def relief(self, uids, when: date, amount: float = 1000.0) -> None:
        for u in uids:
            self.linshi.append(dict(uid=int(u), relief_date=when, amount=amount, relief_type="支出型", reason="因病支出大"))


@dataclass
class Members:
    """The members of the households one variant planted, for picking persons by role."""

    frame: pl.DataFrame  # hh_id, uid, pos, relation, age, size

    def by_hh(self, pred: pl.Expr, pick: str = "first") -> list[int]:
        f = self.frame.filter(pred).sort("hh_id", "pos")
        f = f.group_by("hh_id", maintain_order=True).agg(pl.col("uid").first() if pick == "first" else pl.col("uid").last())
        return f["uid"].to_list()

    def heads(self) -> list[int]:
        return self.by_hh(pl.col("pos") == 0)

    def last(self) -> list[int]:
        return self.by_hh(pl.col("pos") == pl.col("size") - 1)

    def oldest(self) -> list[int]:
        return self.by_hh(pl.col("age") == pl.col("age").max().over("hh_id"))

    def spouses(self) -> list[int]:
        return self.by_hh(pl.col("relation") == "配偶")

    def young_children(self) -> list[int]:
        """Every 之子/之女 under 16 (all of them, not one per household)."""
        return self.frame.filter(pl.col("relation").is_in(["之子", "之女"]) & (pl.col("age") < 18))["uid"].to_list()

    def kid(self) -> list[int]:
        return self.by_hh((pl.col("age") >= 5) & (pl.col("age") <= 15))

    def all(self) -> list[int]:
        return self.frame["uid"].to_list()

    def hh_of(self, uids) -> list[int]:
        m = dict(zip(self.frame["uid"].to_list(), self.frame["hh_id"].to_list()))
        return [m[u] for u in uids]


Out = list[tuple[str, list[int], str]]  # (rule code, person uids, "case" | "near" | "also")


@dataclass
class Variant:
    rule: str
    name: str
    near: bool
    structure: str
    apply: Callable[[QWorld, Members], Out]
    base: Callable[["BaseWorld", Members], None] | None = None
    mode: str = "rotate"  # rotate | all | last
    per_instance: int = 1  # households per instance


STRUCTURES: dict[str, pl.Expr] = {
    "any": pl.col("size") >= 1,
    "size2": pl.col("size") >= 2,
    "single_old": (pl.col("size") == 1) & pl.col("head_age").is_between(62, 90),
    "family": pl.col("has_spouse") & (pl.col("n_young") >= 1),
    "kid": pl.col("n_kid") >= 1,
    "old82": pl.col("max_age").is_between(82, 98),
    "alone_old": (pl.col("size") == 1) & pl.col("head_age").is_between(62, 90),  # no fallback: S2-2 needs it
    "two_adults": (pl.col("n_adult") >= 2) & (pl.col("max_age") >= 62),
    "head60": pl.col("head_age").is_between(62, 78),
}


FALLBACK = {"single_old": "old_head", "old82": "old80", "kid": "size2"}
STRUCTURES.update({
    "old_head": pl.col("head_age").is_between(62, 90),
    "old80": pl.col("max_age") >= 80,
    "young_child": pl.col("n_young") >= 1,
})


@dataclass
class BaseWorld:
    H: pl.DataFrame
    P: pl.DataFrame
    last_ref: date

    def pset(self, uids, **vals) -> None:
        self.P = _update(self.P, "uid", uids, vals)

    def hset(self, hids, **vals) -> None:
        self.H = _update(self.H, "hh_id", hids, vals)


def household_stats(P: pl.DataFrame, ref: date) -> pl.DataFrame:
    a = age_at(pl.col("birth_date"), ref)
    return (
        P.with_columns(age=a)
        .group_by("hh_id")
        .agg(
            size=pl.len(),
            head_age=pl.col("age").filter(pl.col("pos") == 0).first(),
            max_age=pl.col("age").max(),
            has_spouse=(pl.col("relation") == "配偶").any(),
            n_young=(pl.col("relation").is_in(["之子", "之女"]) & (pl.col("age") < 16)).sum(),
            n_kid=((pl.col("age") >= 5) & (pl.col("age") <= 15)).sum(),
            n_adult=(pl.col("age") >= 16).sum(),
        )
        .sort("hh_id")
    )


def quiet_values(P: pl.DataFrame, uids: list[int], ref: date) -> dict:
    """Column values that make persons unremarkable (no programme, no anomaly)."""
    sub = P.filter(pl.col("uid").is_in(uids)).with_columns(age=age_at(pl.col("birth_date"), ref))
    order = dict(zip(sub["uid"].to_list(), sub["age"].to_list()))
    ages = [order[u] for u in uids]
    labour = [ABLE_DEFAULT["young"] if a < 16 else ABLE_DEFAULT["adult"] if a < 60 else ABLE_DEFAULT["old"] for a in ages]
    return dict(cert=False, health="健康", labour_skill=labour, tekun=False, ertong=False, insured=True,
                carer_uid=None, dibao_covered=True)


def d(q: Q, days: int) -> date:
    """A day relative to the quarter's first day."""
    return q.start + timedelta(days=days)


@dataclass
class Planted:
    """The result of planting: the base world, each quarter's world and the truth rows."""

    H: pl.DataFrame  # base (quarter-independent changes applied)
    P: pl.DataFrame
    quarters: dict[str, QWorld]
    rows: list[dict]  # quarter, rule_code, person_uid, kind, variant
    reserved: np.ndarray  # hh_ids used by scenarios


def plant(H: pl.DataFrame, P: pl.DataFrame, variants: list[Variant], quarters: list[Q], k: int,
          rng: np.random.Generator, log=print) -> Planted:
    last_ref = quarters[-1].ref
    stats = household_stats(P, last_ref)
    n = stats.height
    order = rng.permutation(n)
    masks = {name: stats.select(expr.alias("m"))["m"].to_numpy() for name, expr in STRUCTURES.items()}
    reserved = np.zeros(n, dtype=bool)
    chosen: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(variants)
    # true cases take households first, near misses (half as many) after: small counties run short of the latter
    for vi in sorted(range(len(variants)), key=lambda i: (variants[i].near, i)):
        v = variants[vi]
        need = (max(1, k // 2) if v.near else k) * v.per_instance
        ok = masks[v.structure][order] & ~reserved[order]
        take = order[np.flatnonzero(ok)[:need]]
        if len(take) < need and v.structure in FALLBACK:  # small counties: relax the structure
            more = masks[FALLBACK[v.structure]][order] & ~reserved[order]
            more[np.isin(order, take)] = False
            take = np.concatenate([take, order[np.flatnonzero(more)[: need - len(take)]]])
        take = take[: len(take) // v.per_instance * v.per_instance]
        if len(take) < need:
            log(f"  note: {v.rule} {v.name}: {len(take) // v.per_instance} of {need // v.per_instance} instances (too few {v.structure} households)")
        reserved[take] = True
        chosen[vi] = take
    res_ids = np.flatnonzero(reserved)

    # Work on the reserved households only; the rest of the county is untouched.
    Hres = H.filter(pl.col("hh_id").is_in(res_ids))
    Pres = P.filter(pl.col("hh_id").is_in(res_ids))
    bw = BaseWorld(Hres, Pres, last_ref)
    bw.hset(res_ids, registry=False, dibao=False, single_coverage=False, dibao_status="在保", gradual_start=None,
            hh_type="脱贫户", income_pc=25_000.0, risk_eliminated="", monitor_category="", dibao_category="一类",
            dibao_start=date(last_ref.year - 2, 1, 1))
    uids = Pres["uid"].to_list()
    bw.pset(uids, **quiet_values(Pres, uids, last_ref))
    age = age_at(pl.col("birth_date"), last_ref)
    members_of = {}
    for v, take in zip(variants, chosen):
        if len(take):
            fr = bw.P.filter(pl.col("hh_id").is_in(take)).join(stats.select("hh_id", "size"), on="hh_id").with_columns(age=age)
            members_of[id(v)] = fr
            if v.base is not None:
                v.base(bw, Members(fr))
    heads = P.filter(pl.col("pos") == 0).select("hh_id", "uid")

    rows: list[dict] = []
    qworlds: dict[str, QWorld] = {}
    for qi, q in enumerate(quarters):
        w = QWorld(q, bw.H, bw.P, quarters[0], quarters[-1], heads)
        for vi, (v, take) in enumerate(zip(variants, chosen)):
            if not len(take):
                continue
            groups = take.reshape(-1, v.per_instance)
            active = []
            for i, g in enumerate(groups):
                if len(quarters) == 1 or v.mode == "all":
                    on = True
                elif v.mode == "last":
                    on = qi == len(quarters) - 1
                else:
                    pat = (vi + i) % 4
                    on = pat in (0, 3) or (pat == 1 and qi < len(quarters) - 1) or (pat == 2 and qi == len(quarters) - 1)
                if on:
                    active.extend(g.tolist())
            if not active:
                continue
            # members at the base world's values (birth dates / deaths of base changes applied)
            fr = members_of[id(v)].filter(pl.col("hh_id").is_in(active))
            for code, us, kind in v.apply(w, Members(fr)):
                for u in us:
                    rows.append(dict(quarter=str(q), rule_code=code, person_uid=int(u), kind=kind, variant=v.name))
        qworlds[str(q)] = w
    log(f"  planted {len(rows)} truth rows over {len(res_ids)} households")
    return Planted(bw.H, bw.P, qworlds, rows, res_ids)
