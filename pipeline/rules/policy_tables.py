"""The policy's structured values as small tables the rules join (scalars are bound as ``$name``).

- ``policy_orphan_standard``  (child_category, amount): 孤儿 / 事实无人抚养儿童 基本生活费, 元/月;
- ``policy_living_subsidy``   (category, amount): 困难残疾人生活补贴 by 分类施保类别, 元/月;
- ``policy_care_subsidy``     (grade, category, amount): 重度残疾人护理补贴, one row per grade and
  category (when the file lists a pair twice the larger amount counts);
- ``policy_major_illness_keywords`` (keyword): 诊断名称 fragments that make a settlement 重特大疾病.
"""

from __future__ import annotations

import polars as pl

from pipeline.policy import Policy


def policy_tables(policy: Policy) -> dict[str, pl.DataFrame]:
    orphan = policy["orphan_standard"]
    living = policy["living_subsidy"]
    care = [
        {"grade": c.grade, "category": cat, "amount": c.amount} for c in policy.care_subsidy for cat in c.categories
    ]
    care_frame = pl.DataFrame(care, schema={"grade": pl.Int8, "category": pl.Utf8, "amount": pl.Float64})
    return {
        "policy_orphan_standard": pl.DataFrame(
            {"child_category": list(orphan), "amount": [float(v) for v in orphan.values()]},
            schema={"child_category": pl.Utf8, "amount": pl.Float64},
        ),
        "policy_living_subsidy": pl.DataFrame(
            {"category": list(living), "amount": [float(v) for v in living.values()]},
            schema={"category": pl.Utf8, "amount": pl.Float64},
        ),
        "policy_care_subsidy": care_frame.group_by("grade", "category").agg(pl.col("amount").max()).sort("grade", "category"),
        "policy_major_illness_keywords": pl.DataFrame(
            {"keyword": list(policy["major_illness_keywords"])}, schema={"keyword": pl.Utf8}
        ),
    }
