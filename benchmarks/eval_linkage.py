"""Linkage accuracy against the generator's truth, doudi beside Splink.

    python benchmarks/eval_linkage.py [--households 3000] [--seed 1] [--no-splink] [--out DIR]
    python benchmarks/eval_linkage.py --synthetic 1000000   # the spec's dirt mix, doudi beside Splink

Generates a fresh county (``sample_data.generate``, one quarter), runs the real stages
(prepare_file -> combine_files -> record_rows -> link) and scores the linkage against ``truth/records.csv``:
pairwise precision, recall and F1 over all pairs of accepted records (source rows joined to the
truth on quarter/file_name/sheet_name/row_number; true pairs share a ``person_uid``, predicted pairs
a ``person_key``; pairs are counted from cluster sizes, never enumerated), overall, on dirty pairs
(either record carries an identity dirt kind: ``id_*`` or ``name_*``), per dirt kind and per trap
(namesakes, twins: precision is what matters there). Then prints a few false links and missed links
with names, IDs and dirt.

Splink (the ``bench`` extra: ``pip install -e .[bench]``, DuckDB backend) links the same accepted
records as a competent Splink user would set it up (``splink_settings``, ``train_splink``):
comparisons on the ID number (exact, Damerau-Levenshtein 1, the 15 digits Excel keeps where one
side has no full number), name (exact with term-frequency adjustment, pinyin, Jaro-Winkler on
pinyin), birth date (exact, one character apart), village, gender; blocking on the ID, the 15
digits, pinyin + birth date, pinyin + village; λ from the exact-ID rule, u by random sampling, m by
EM on three blocking rules; predict, then connected components at ``--threshold`` (0.99) and, from
the same predictions, each of ``--more-thresholds``. Both are printed side by side with wall time
(doudi: the ``link`` call; Splink: register, train, predict and cluster).

``--synthetic N``: about N records from ``linkage_synthetic.synthesize`` (the spec's dirt mix: Excel's
truncated ``…000`` and display-form IDs, Excel numbers, typos, 15-digit IDs, traditional, homophone
and spaced names, twins, same-day namesakes in one village), doudi and Splink each in a fresh
process on the same records: wall time and CPU seconds (as each timed itself; CPU is the fairer
clock on a shared machine), peak resident memory (psutil,
sampled), pairwise P / R / F1, per dirt kind, the time ratio and whether the goal is met.

Targets: doudi precision >= 0.999, recall >= 0.995 overall and >= 0.98 on dirty pairs; its F1
above Splink's in at most a fifth of Splink's time. On the synthetic set: F1 >= 0.999 with
precision >= 0.999, in at most a fifth of Splink's time, peak memory no more than Splink's.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline.ingest import list_files  # noqa: E402
from pipeline.link import link, load  # noqa: E402
from pipeline.policy import load_policy  # noqa: E402
from pipeline.quarter import Quarter  # noqa: E402
from pipeline.assemble import record_rows  # noqa: E402
from pipeline.prepare import combine_files, prepare_file  # noqa: E402

QUARTER = "2026Q3"
KEY = ("file_name", "sheet_name", "row_number")
TARGETS = {"precision": 0.999, "recall": 0.995, "dirty_recall": 0.98}


# ---------------------------------------------------------------- the county and the real stages


def generate(households: int, seed: int, out: Path, forms: str = "mixed") -> float:
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "sample_data.generate", "--households", str(households), "--seed", str(seed),
           "--out", str(out), "--quarters", QUARTER, "--forms", forms]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"generator failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - t0


def county_records(folder: Path) -> pl.DataFrame:
    """The real stages up to identity: prepare_file -> combine_files -> record_rows (with provenance)."""
    reference_date = Quarter.parse(QUARTER).reference_date
    prepared = combine_files([prepare_file((path, name, reference_date)) for path, name in list_files(folder)])
    return record_rows(prepared).collect()


def precedence() -> list[str]:
    return list(load_policy()["residence_precedence"])


def stages(folder: Path) -> tuple[pl.DataFrame, dict, float, list[str]]:
    """records (link_records), the Linkage, seconds of ``link`` alone, residence precedence."""
    records = county_records(folder)
    order, settings = precedence(), load()
    t0 = time.perf_counter()
    linkage = link(records, settings, order)
    return records, linkage, time.perf_counter() - t0, order


def truth_frame(out: Path, records: pl.DataFrame) -> pl.DataFrame:
    """Accepted records joined to the truth: record_id, person_uid, dirt (list), id_dirty, trap."""
    truth = pl.read_csv(out / "truth" / "records.csv", infer_schema=False).filter(pl.col("quarter") == QUARTER)
    truth = truth.with_columns(pl.col("row_number").cast(pl.Int64), pl.col("sheet_name").fill_null(""))
    persons = pl.read_csv(out / "truth" / "persons.csv", infer_schema=False).select(
        "person_uid", pl.col("trap").fill_null(""), pl.col("name").alias("true_name"), pl.col("id_number").alias("true_id")
    )
    j = records.with_columns(pl.col("sheet_name").fill_null("")).join(truth, on=list(KEY), how="left")
    lost = j.filter(pl.col("person_uid").is_null()).height
    if lost:
        print(f"!! {lost} accepted records have no truth row (join on {KEY})")
    dirt = pl.col("dirt").fill_null("").str.split(";").list.eval(pl.element().filter(pl.element() != ""))
    return (
        j.filter(pl.col("person_uid").is_not_null())
        .with_columns(dirt.alias("dirt"))
        .with_columns(
            pl.col("dirt").list.eval(pl.element().str.contains("^(id|name)_")).list.any().fill_null(False).alias("id_dirty")
        )
        .join(persons, on="person_uid", how="left")
    )


# ---------------------------------------------------------------- pairwise scores from cluster sizes


def _c2(n: pl.Expr) -> pl.Expr:
    return n * (n - 1) // 2


def pair_counts(frame: pl.DataFrame, flag: str | None = None) -> tuple[int, int, int]:
    """(true, predicted, both) pairs; with ``flag`` only pairs where either record has it:
    C(n, 2) - C(n without the flag, 2) per group."""

    def count(*by: str) -> int:
        agg = [pl.len().alias("n")] + ([pl.col(flag).not_().sum().alias("m")] if flag else [])
        g = frame.group_by(*by).agg(*agg)
        expr = _c2(pl.col("n")) - (_c2(pl.col("m")) if flag else 0)
        return int(g.select(expr.sum()).item())

    return count("person_uid"), count("key"), count("person_uid", "key")


def scores(true: int, predicted: int, both: int) -> dict:
    p = both / predicted if predicted else 1.0
    r = both / true if true else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "true": true, "predicted": predicted}


def evaluate(frame: pl.DataFrame) -> dict:
    """frame: person_uid, key, id_dirty, dirt (list), trap. Overall, dirty, per dirt kind and trap."""
    out = {"overall": scores(*pair_counts(frame)), "dirty": scores(*pair_counts(frame, "id_dirty"))}
    kinds = sorted({k for ks in frame["dirt"].to_list() for k in ks if k.startswith(("id_", "name_"))})
    for kind in kinds:
        f = frame.with_columns(pl.col("dirt").list.contains(kind).alias("_k"))
        out[kind] = scores(*pair_counts(f, "_k"))
    for trap in sorted(t for t in frame["trap"].unique().to_list() if t):
        f = frame.with_columns((pl.col("trap") == trap).alias("_k"))
        out[f"trap:{trap}"] = scores(*pair_counts(f, "_k"))
    return out


# ---------------------------------------------------------------- errors, readable


SHOW = ["record_id", "source_table", "name_raw", "id_number_raw", "birth_date", "village", "relation", "dirt", "trap"]


def _show(frame: pl.DataFrame, extra: list[str], group: str, per_group: int = 3) -> str:
    """Rows grouped by ``group``: the dirty ones first, at most ``per_group`` each, the rest counted."""
    rows = frame.with_columns(pl.col("dirt").list.join(";")).sort(group, "id_dirty", "record_id", descending=[False, True, False])
    lines = []
    for _, part in rows.group_by(group, maintain_order=True):
        for r in part.head(per_group).select(*SHOW, *extra).iter_rows(named=True):
            lines.append("      " + "  ".join(f"{'' if v is None else v}" for v in r.values()))
        if part.height > per_group:
            lines.append(f"      ... {part.height - per_group} more record(s) of {group} {part[group][0]}")
    return "\n".join(lines)


def errors(frame: pl.DataFrame, n: int) -> None:
    """A few false links (one key, several persons) and missed links (one person, several keys)."""
    false_keys = frame.group_by("key").agg(pl.col("person_uid").n_unique().alias("u")).filter(pl.col("u") > 1)
    missed = frame.group_by("person_uid").agg(pl.col("key").n_unique().alias("k")).filter(pl.col("k") > 1)
    print(f"\n  false links: {false_keys.height} person_keys hold more than one true person")
    for key in false_keys.sort("key")["key"].head(n).to_list():
        print(f"    person_key {key}")
        print(_show(frame.filter(pl.col("key") == key), ["person_uid", "match_method"], "person_uid"))
    print(f"\n  missed links: {missed.height} true persons split over more than one person_key")
    # the dirtiest first: they tell the most
    order = frame.filter(pl.col("person_uid").is_in(missed["person_uid"].implode())).group_by("person_uid").agg(
        pl.col("id_dirty").sum().alias("d")
    ).sort("d", "person_uid", descending=[True, False])
    for uid in order["person_uid"].head(n).to_list():
        print(f"    person_uid {uid}")
        print(_show(frame.filter(pl.col("person_uid") == uid), ["key", "match_method"], "key"))


# ---------------------------------------------------------------- Splink


def splink_input(records: pl.DataFrame) -> pl.DataFrame:
    """The same accepted records in Splink's shape (its own plain columns, nothing doudi decided)."""
    id_any = pl.coalesce("id_number", "id_prefix")
    known = id_any.str.len_chars()
    return records.select(
        pl.col("record_id").alias("unique_id"),
        "name",
        pl.col("name_pinyin").str.replace_all(" ", "").alias("name_pinyin"),
        pl.col("birth_date").cast(pl.Utf8).alias("birth_date"),
        pl.col("village"),
        pl.col("id_number"),
        pl.when(known >= 15).then(id_any.str.slice(0, 15)).alias("id15"),  # Excel's short display form: no id15
        pl.when(known >= 10).then(id_any.str.slice(0, 10)).alias("id_head"),
        pl.col("gender"),
    )


def splink_settings():
    """The model a competent Splink user builds for these columns: one comparison per kind of
    evidence, with the levels the dirt calls for, and blocking rules that each pair the records of
    one person through a different column (so a dirty value in one still leaves another):
    - ID: exact, Damerau-Levenshtein 1 (a slip or an adjacent transposition), the 15 digits Excel
      kept where one side has no full number (two full numbers of people born on one day share
      them too), else;
    - name: exact (term-frequency adjusted: 王伟 says less than 詹秋菊), same pinyin (繁简 is folded
      already, homophones), Jaro-Winkler >= 0.9 on pinyin, else;
    - birth date: exact, one character apart (a slip in the date digits), else;
    - village, gender: exact, else.
    Blocking: the ID, the 15 digits Excel kept, pinyin + birth date, pinyin + village."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_pinyin"),
            cll.JaroWinklerLevel("name_pinyin", 0.9),
            cll.ElseLevel(),
        ],
    )
    id_number = cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.And(cll.NullLevel("id_number"), cll.NullLevel("id15")),
            cll.ExactMatchLevel("id_number"),
            cll.DamerauLevenshteinLevel("id_number", 1),
            cll.And(cll.NullLevel("id_number"), cll.ExactMatchLevel("id15")),
            cll.ElseLevel(),
        ],
    )
    birth_date = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[id_number, name, birth_date, cl.ExactMatch("village"), cl.ExactMatch("gender")],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("id15"),
            block_on("name_pinyin", "birth_date"),
            block_on("name_pinyin", "village"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train_splink(linker, seed: int) -> None:
    """λ from the exact ID rule (about nine records in ten carry a full ID), u by random sampling,
    m by EM on three blocking rules, each leaving the other comparisons free: the ID (trains name,
    birth date, village, gender), pinyin + birth date (trains the ID, village, gender), pinyin +
    village (trains the ID, birth date, gender)."""
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.85)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in (block_on("id_number"), block_on("name_pinyin", "birth_date"), block_on("name_pinyin", "village")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)


def run_splink(
    records: pl.DataFrame, threshold: float, seed: int, more: tuple[float, ...] = ()
) -> tuple[pl.DataFrame | None, float, str, float]:
    """record_id, key of Splink's clusters at ``threshold`` (and ``key@t`` for each further threshold
    in ``more``, clustered from the same predictions, not timed); wall seconds of register, train,
    predict and cluster at ``threshold``; '' or why it could not run; the CPU seconds of the same
    (every thread of the process: DuckDB's too)."""
    try:
        import splink
        from splink import DuckDBAPI, Linker
    except Exception as e:  # noqa: BLE001
        return None, 0.0, f"splink not importable ({type(e).__name__}: {e}); install the bench extra: pip install -e .[bench]", 0.0
    logging.getLogger("splink").setLevel(logging.ERROR)
    data = splink_input(records).to_arrow()
    try:
        t0, c0 = time.perf_counter(), cpu_seconds()
        linker = Linker(DuckDBAPI().register(data), splink_settings(), log_level=logging.ERROR)
        train_splink(linker, seed)
        predictions = linker.inference.predict(threshold_match_probability=min(0.5, threshold, *more))
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=threshold)
        result = pl.from_arrow(clusters.as_duckdbpyrelation().select("unique_id, cluster_id").arrow())
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        for extra in more:
            again = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=extra)
            other = pl.from_arrow(again.as_duckdbpyrelation().select("unique_id, cluster_id").arrow())
            result = result.join(
                other.select("unique_id", pl.col("cluster_id").cast(pl.Utf8).alias(f"key@{extra}")), on="unique_id", how="left"
            )
    except Exception as e:  # noqa: BLE001
        import duckdb

        why = f"splink {splink.__version__} failed with duckdb {duckdb.__version__}: {type(e).__name__}: {e}"
        return None, 0.0, why, 0.0
    keys = result.select(
        pl.col("unique_id").cast(pl.Int64).alias("record_id"),
        pl.col("cluster_id").cast(pl.Utf8).alias("key"),
        *[pl.col(c) for c in result.columns if c.startswith("key@")],
    )
    return keys, wall, "", cpu


# ---------------------------------------------------------------- side by side on a synthetic set, one process each


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far, all its threads (a fairer clock than the
    wall on a machine others share)."""
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


def worker(tool: str, records_path: Path, keys_path: Path, threshold: float, more: tuple[float, ...], seed: int) -> None:
    """Link the records with one tool and write record_id, key (+ key@t) and the seconds."""
    import json

    records = pl.read_parquet(records_path)
    if tool == "doudi":
        t0, c0 = time.perf_counter(), cpu_seconds()
        linkage = link(records, load(), precedence())
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        keys, why = linkage.assignments.select("record_id", pl.col("person_key").alias("key")), ""
    else:
        keys, seconds, why, cpu = run_splink(records, threshold, seed, more)
    if keys is not None:
        keys.write_parquet(keys_path)
    keys_path.with_suffix(".json").write_text(json.dumps({"seconds": seconds, "cpu": cpu, "why": why}))


def measured(tool: str, records_path: Path, args) -> tuple[pl.DataFrame | None, dict]:
    """Run ``worker`` in a fresh process; its wall seconds (as it timed itself) and its peak resident
    memory, sampled every 20 ms with psutil (the records it reads are counted for both tools)."""
    import json

    import psutil

    keys_path = records_path.with_name(f"keys-{tool}.parquet")
    cmd = [sys.executable, __file__, "--worker", tool, "--records", str(records_path), "--keys", str(keys_path),
           "--threshold", str(args.threshold), "--more-thresholds", args.more_thresholds, "--seed", str(args.seed)]
    child = psutil.Popen(cmd, cwd=ROOT)
    peak = 0
    while child.poll() is None:
        try:
            rss = child.memory_info().rss + sum(c.memory_info().rss for c in child.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    info = json.loads(keys_path.with_suffix(".json").read_text()) if keys_path.with_suffix(".json").exists() else {
        "seconds": 0.0, "why": f"worker exited with {child.returncode}"}
    info["peak_mb"] = peak / 2**20
    keys = pl.read_parquet(keys_path) if keys_path.exists() else None
    return keys, info


def synthetic_main(args) -> int:
    """``--synthetic N``: about N records (benchmarks/linkage_synthetic.synthesize: the spec's dirt mix),
    doudi and Splink each in its own process on the same records; one table."""
    from linkage_synthetic import synthesize

    t0 = time.perf_counter()
    records = synthesize(args.synthetic)
    print(f"synthetic set: {records.height:,} records, {records['truth'].n_unique():,} persons, made in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory(prefix="doudi-eval-") as tmp:
        path = Path(tmp) / "records.parquet"
        records.drop("truth", "dirt", "trap").write_parquet(path)
        frame = records.select(
            "record_id", pl.col("truth").alias("person_uid"), "dirt", "trap", "name", "id_number_raw", "birth_date",
            "village", "relation", "source_table", pl.col("name").alias("name_raw"),
            (pl.col("dirt").list.len() > 0).alias("id_dirty"),
        )
        rows = []
        for tool in ("doudi", *(() if args.no_splink else ("splink",))):
            keys, info = measured(tool, path, args)
            if keys is None:
                print(f"{tool}: not run: {info['why']}")
                continue
            for column in [c for c in keys.columns if c.startswith("key")]:
                scored = frame.join(keys.select("record_id", pl.col(column).alias("key")), on="record_id", how="left").with_columns(
                    pl.coalesce("key", pl.format("single-{}", pl.col("record_id"))).alias("key"), pl.lit("").alias("match_method")
                )
                label = tool if tool == "doudi" else f"splink@{column.split('@')[1] if '@' in column else args.threshold}"
                timed = column == "key"
                clock = (info["seconds"], info.get("cpu", 0.0)) if timed else None
                rows.append((label, evaluate(scored), clock, info["peak_mb"] if timed else None))
                if tool == "doudi":
                    doudi_frame = scored
    print(f"\n{'':<14}{'seconds':>9}{'CPU s':>9}{'peak MB':>9}{'precision':>11}{'recall':>9}{'F1':>9}")
    for label, s, sec, mb in rows:
        o = s["overall"]
        sec_s = f"{sec[0]:9.1f}{sec[1]:9.1f}" if sec is not None else f"{'':>18}"
        mb_s = f"{mb:9.0f}" if mb is not None else f"{'':>9}"
        print(f"{label:<14}{sec_s}{mb_s}{o['precision']:11.5f}{o['recall']:9.5f}{o['f1']:9.5f}")
    timed = {label: (s, sec, mb) for label, s, sec, mb in rows if sec is not None}
    d = timed["doudi"]
    print(f"\nper dirt kind / trap, pairs involving such a record{'':<6}doudi" + ("      | splink" if len(timed) > 1 else ""))
    sp = next((v for k, v in timed.items() if k != "doudi"), None)
    for kind in [k for k in d[0] if k not in ("overall", "dirty")]:
        line = f"  {kind:<22}{d[0][kind]['true']:9d}  {_fmt(d[0][kind])}"
        if sp and kind in sp[0]:
            line += f"  |  {_fmt(sp[0][kind])}"
        print(line)
    if sp:
        ratio = sp[1][0] / d[1][0] if d[1][0] else float("inf")
        cpu_ratio = sp[1][1] / d[1][1] if d[1][1] else float("inf")
        o = d[0]["overall"]
        goal = o["f1"] >= 0.999 and o["precision"] >= 0.999 and d[1][0] * 5 <= sp[1][0] and d[2] <= sp[2]
        print(f"\nsplink time / doudi time = {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU; doudi peak / splink peak = {d[2] / sp[2]:.2f}")
        print(f"goal (F1 >= 0.999, P >= 0.999, time <= 1/5 of Splink's, peak memory <= Splink's): {'met' if goal else 'MISSED'}")
    errors(doudi_frame.with_columns(pl.lit("").alias("match_method")), args.examples)
    return 0


# ---------------------------------------------------------------- report


def _fmt(s: dict) -> str:
    return f"P {s['precision']:.5f}  R {s['recall']:.5f}  F1 {s['f1']:.5f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="county folder (default: a temporary one, removed after)")
    ap.add_argument("--reuse", action="store_true", help="use the county already in --out")
    ap.add_argument("--examples", type=int, default=5, help="false / missed links shown")
    ap.add_argument("--threshold", type=float, default=0.99, help="Splink match probability for clustering (timed)")
    ap.add_argument("--more-thresholds", default="0.9,0.999", help="further Splink thresholds scored (comma list, not timed)")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--synthetic", type=int, help="about this many synthetic records (the spec's dirt mix) instead of a county")
    ap.add_argument("--worker", choices=("doudi", "splink"), help=argparse.SUPPRESS)
    ap.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--keys", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    more = tuple(float(x) for x in args.more_thresholds.split(",") if x.strip())
    if args.worker:
        worker(args.worker, args.records, args.keys, args.threshold, more, args.seed)
        return 0
    if args.synthetic:
        return synthetic_main(args)

    tmp = None
    out = args.out
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="doudi-eval-")
        out = Path(tmp.name)
    if not args.reuse:
        sec = generate(args.households, args.seed, out)
        print(f"county: {args.households} households, seed {args.seed}, generated in {sec:.1f} s -> {out}")
    records, linkage, doudi_sec, _ = stages(out / QUARTER)
    frame = truth_frame(out, records).join(
        linkage.assignments.select("record_id", pl.col("person_key").alias("key"), "match_method"), on="record_id"
    )
    print(f"accepted records {records.height}, with truth {frame.height}, true persons {frame['person_uid'].n_unique()}, "
          f"doudi persons {frame['key'].n_unique()}, records with identity dirt {int(frame['id_dirty'].sum())}")
    doudi = evaluate(frame)

    splink_scores, splink_sec, why = None, 0.0, "skipped (--no-splink)"
    if not args.no_splink:
        keys, splink_sec, why, _ = run_splink(records, args.threshold, args.seed)
        if keys is not None:
            sframe = frame.drop("key").join(keys, on="record_id", how="left").with_columns(
                pl.coalesce("key", pl.format("single-{}", pl.col("record_id"))).alias("key")
            )
            splink_scores = evaluate(sframe)

    print(f"\n{'':<22}{'precision':>10}{'recall':>10}{'F1':>10}{'pairs':>9}{'seconds':>9}")
    for label, s, sec in (("doudi", doudi, doudi_sec), (f"splink@{args.threshold}", splink_scores, splink_sec)):
        if s is None:
            print(f"{label:<22}  not run: {why}")
            continue
        for part in ("overall", "dirty"):
            o = s[part]
            t = f"{sec:9.2f}" if part == "overall" else ""
            print(f"{label + ' ' + part:<22}{o['precision']:10.5f}{o['recall']:10.5f}{o['f1']:10.5f}{o['true']:9d}{t}")
    if splink_scores is not None:
        ratio = splink_sec / doudi_sec if doudi_sec else float("inf")
        print(f"doudi F1 - splink F1 = {doudi['overall']['f1'] - splink_scores['overall']['f1']:+.5f}; "
              f"splink time / doudi time = {ratio:.1f}x")

    print(f"\nper identity dirt kind / trap (pairs involving a record of that kind){'':<4}doudi{'':<26}"
          + ("splink" if splink_scores else ""))
    for kind in [k for k in doudi if k not in ("overall", "dirty")]:
        d = doudi[kind]
        line = f"  {kind:<22}{d['true']:6d}  {_fmt(d)}"
        if splink_scores and kind in splink_scores:
            line += f"   |  {_fmt(splink_scores[kind])}"
        print(line)

    o, dd = doudi["overall"], doudi["dirty"]
    met = o["precision"] >= TARGETS["precision"] and o["recall"] >= TARGETS["recall"] and dd["recall"] >= TARGETS["dirty_recall"]
    beats = splink_scores is None or (o["f1"] > splink_scores["overall"]["f1"] and doudi_sec * 5 <= splink_sec)
    print(f"\ntargets (P >= {TARGETS['precision']}, R >= {TARGETS['recall']}, dirty R >= {TARGETS['dirty_recall']}): "
          f"{'met' if met else 'MISSED'}" + ("" if splink_scores is None else f"; vs splink (F1 higher, time <= 1/5): {'met' if beats else 'MISSED'}"))
    print(f"doudi link stages: {linkage.stages}")
    errors(frame, args.examples)
    if tmp is not None:
        tmp.cleanup()
    return 0 if met and beats else 1


if __name__ == "__main__":
    sys.exit(main())
