"""Benchmark of pipeline/link at county sizes, on generated counties where that is affordable.

    python benchmarks/bench_link.py                       # 10k and 100k households (generator), 1M records (synthetic)
    python benchmarks/bench_link.py 10000 100000          # households, from the generator
    python benchmarks/bench_link.py --synthetic 1000000   # records, from the built-in synthesizer
    python benchmarks/bench_link.py --cache DIR ...       # keep generated counties in DIR (reused when present)

Generator (``sample_data.generate --forms csv``, one quarter, cached): the records are what the real
stages make of the files (prepare_file -> combine_files -> record_rows), scored against ``truth/records.csv``
as benchmarks/eval_linkage.py does. Sizes above ``--max-generated`` households (default 100,000;
a million takes minutes and ~15 GB to generate and far longer to ingest) use the synthesizer.

Synthesizer (``linkage_synthetic.synthesize``): about N records of one county in the spec's dirt mix
(see that module).

Prints the wall time and the process peak RSS after each stage of ``link``, and the pairwise
precision / recall against the truth.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.link import link, peak_memory_mb  # noqa: E402
from linkage_synthetic import synthesize  # noqa: E402

def pairwise(assignments: pl.DataFrame, records: pl.DataFrame) -> dict:
    """Pairwise precision / recall / F1 of the person keys against the truth."""
    j = assignments.join(records.select("record_id", "truth"), on="record_id")

    def pairs(*by: str) -> int:
        return int(j.group_by(*by).len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())

    predicted, true, both = pairs("person_key"), pairs("truth"), pairs("person_key", "truth")
    p = both / predicted if predicted else 1.0
    r = both / true if true else 1.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(2 * p * r / (p + r), 5) if p + r else 0.0}


PRECEDENCE = ["dibao", "tekun", "ertong", "fupin", "canlian", "yibao_canbao"]


def generated(households: int, seed: int, cache: Path) -> tuple[pl.DataFrame, float]:
    """Records of a generated CSV county (the real stages) with ``truth`` = the true person."""
    import eval_linkage as ev

    out = cache / f"county-{households}-{seed}"
    t0 = time.perf_counter()
    if not (out / "truth" / "records.csv").exists():
        ev.generate(households, seed, out, forms="csv")
    records = ev.county_records(out / ev.QUARTER)
    truth = ev.truth_frame(out, records).select("record_id", pl.col("person_uid").alias("truth"))
    return records.join(truth, on="record_id", how="left"), time.perf_counter() - t0


def run(records: pl.DataFrame, label: str, seconds: float) -> None:
    rss = peak_memory_mb()
    print(f"\n== {label}, {records.height:,} records (made in {seconds:.1f} s, peak {rss:.0f} MB)", flush=True)
    t0 = time.perf_counter()
    result = link(records.drop("truth"), None, PRECEDENCE)
    wall = time.perf_counter() - t0
    for stage, (sec, peak) in result.stages.items():
        print(f"  {stage:<10} {sec:8.2f} s   peak RSS {peak:6d} MB")
    print(f"  {'link':<10} {wall:8.2f} s   counts {result.counts}")
    print(f"  truth      {pairwise(result.assignments, records.filter(pl.col('truth').is_not_null()))}", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="pipeline/link at county sizes")
    ap.add_argument("sizes", nargs="*", type=int, help="households (generator) or records (--synthetic / too big)")
    ap.add_argument("--synthetic", action="store_true", help="always use the built-in synthesizer (sizes = records)")
    ap.add_argument("--max-generated", type=int, default=100_000, help="largest county generated (households)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", type=Path, help="folder for generated counties (default: a temporary one)")
    args = ap.parse_args(argv)
    plan = [(n, args.synthetic or n > args.max_generated) for n in args.sizes] or [
        (10_000, False), (100_000, False), (1_000_000, True)
    ]
    tmp = None
    cache = args.cache
    if cache is None and not all(synth for _, synth in plan):
        tmp = tempfile.TemporaryDirectory(prefix="doudi-bench-")
        cache = Path(tmp.name)
    for n, synth in plan:
        if synth:
            t0 = time.perf_counter()
            records = synthesize(n)
            run(records, f"{n:,} records asked (synthetic)", time.perf_counter() - t0)
        else:
            records, seconds = generated(n, args.seed, cache)
            run(records, f"{n:,} households (generated, seed {args.seed}, csv, prepare_file -> combine_files -> record_rows)", seconds)
        del records
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
