"""Whole-run benchmark: every stage of ``run_quarter`` (no Prefect) on generated counties.

    python benchmarks/bench_run.py [--sizes 10000,100000] [--dir /tmp/doudi_bench] [--no-reports]
                                   [--profile STAGE]

For each size a county is generated once in CSV form (``sample_data.generate --forms csv``,
quarter 2026Q3; reused when ``--dir`` already holds it) and ``run_quarter`` runs on it, as
``doudi run`` does but without Prefect, in a fresh child process (so that one size's memory does
not inflate the next): ingest (read, normalise and validate each file), combine (the tables
of all files), link, screen, store (into a new DuckDB file), reports.  Printed per stage: wall
seconds, the RSS at its start (what the stages before it left held), peak RSS during the stage (psutil, sampled every 10 ms in a thread; the process and its
children, i.e. the township workbooks' worker processes) and the RSS growth; then the run's
peak, its wall time, the slowest stage and, between sizes, how each stage grew against the growth
in rows (x10 rows -> x10 time is linear).

``--profile link`` runs that stage under pyinstrument (if installed) and prints the profile.
DuckDB is capped by ``DOUDI_DUCKDB_MEMORY`` (pipeline/limits.py) and spills beyond it; the
record-level tables wait on disk in the run's build folder (beside the database) between stages.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.progress import Progress  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUARTER = "2026Q3"


class Meter:
    """Wall time and peak RSS per stage (a sampling thread keeps the running maximum)."""

    def __init__(self, interval: float = 0.01):
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = self._rss()
        self.stages: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _rss(self) -> int:
        """This process and its children (the township workbooks' worker processes)."""
        rss = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            try:
                rss += child.memory_info().rss
            except psutil.Error:  # ended between the listing and the reading
                pass
        return rss

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = self._rss()
            if rss > self.peak:
                self.peak = rss
            time.sleep(self.interval)

    @contextmanager
    def stage(self, name: str, profile: str | None = None):
        gc.collect()
        start_rss = self._rss()
        self.peak = start_rss
        profiler = None
        if profile == name:
            try:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            except ImportError:
                print("pyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
            end_rss = self._rss()
            self.peak = max(self.peak, end_rss)
            self.stages.append(
                {"stage": name, "seconds": round(seconds, 3), "start_mb": round(start_rss / 2**20),
                 "peak_mb": round(self.peak / 2**20), "grew_mb": round((end_rss - start_rss) / 2**20)}  # fmt: skip
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def county(size: int, base: Path, seed: int) -> Path:
    """The generated county folder for ``size`` households (generated once)."""
    out = base / f"c{size}"
    folder = out / QUARTER
    if not (folder.is_dir() and any(folder.iterdir())):
        print(f"generating {size} households into {out} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "sample_data.generate", "--households", str(size), "--seed", str(seed),
             "--out", str(out), "--forms", "csv", "--quarters", QUARTER],
            check=True, cwd=ROOT,
        )  # fmt: skip
    return folder


# run_quarter's stage names, shortened for the table.
STAGES = {"读取与校验": "ingest", "合并各表": "combine", "人员识别": "link", "筛查规则": "screen",
          "写入数据库": "store", "生成乡镇清单": "reports"}  # fmt: skip


class MeteredProgress(Progress):
    """run_quarter's progress, measured: each stage's wall time and peak RSS (``Meter``)."""

    def __init__(self, meter: Meter, profile: str | None) -> None:
        super().__init__()
        self.meter = meter
        self.profile = profile

    @contextmanager
    def stage(self, name: str, total: int | None = None):
        with self.meter.stage(STAGES.get(name, name), self.profile), super().stage(name, total) as advance:
            yield advance


def run_one(folder: Path, reports: bool, profile: str | None) -> dict:
    """``run_quarter`` on ``folder`` (no Prefect), every stage measured; returns the figures."""
    import duckdb

    from pipeline.policy import load_policy
    from pipeline.executor import LocalExecutor
    from pipeline.run import run_quarter

    meter = Meter()
    work = Path(tempfile.mkdtemp(prefix="doudi_bench_run_"))
    db = work / "bench.duckdb"
    started = time.perf_counter()
    try:
        result = run_quarter(folder, QUARTER, load_policy(), db, work / "reports" if reports else None,
                             executor=LocalExecutor(MeteredProgress(meter, profile)))  # fmt: skip
        wall = time.perf_counter() - started
        with duckdb.connect(str(db), read_only=True) as con:
            (rows,) = con.execute("SELECT sum(data_rows) FROM run_files WHERE quarter = ?", [QUARTER]).fetchone()
    finally:
        meter.close()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return {
        "input_rows": int(rows or 0),
        "accepted": result.counts.get("source_records", 0),
        "rejected": result.rejected_rows,
        "persons": result.counts.get("persons", 0),
        "cases": result.counts.get("cases", 0),
        "stages": meter.stages,
        "wall_seconds": round(wall, 1),
        "max_rss_mb": round(_ru_maxrss_mb()),
    }


def _ru_maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def print_one(size: int, fig: dict) -> None:
    total = sum(s["seconds"] for s in fig["stages"])
    print(f"\n== {size:,} households: {fig['input_rows']:,} input rows -> {fig['accepted']:,} accepted, "
          f"{fig['rejected']:,} rejected, {fig['persons']:,} persons, {fig['cases']:,} cases")  # fmt: skip
    print(f"{'stage':<14}{'seconds':>10}{'share':>8}{'RSS at start':>14}{'peak RSS MB':>13}{'RSS +MB':>9}")
    for s in fig["stages"]:
        print(f"{s['stage']:<14}{s['seconds']:>10.2f}{s['seconds'] / total:>8.0%}{s.get('start_mb', 0):>14,}{s['peak_mb']:>13,}{s['grew_mb']:>9,}")
    slowest = max(fig["stages"], key=lambda s: s["seconds"])
    peak = max(s["peak_mb"] for s in fig["stages"])
    print(f"{'total':<14}{total:>10.2f}{'':>8}{'':>14}{peak:>13,}   (peak RSS, the process and its worker processes)")
    print(f"whole run_quarter, wall: {fig.get('wall_seconds', total):.1f} s (stages + the steps between them)")
    print(f"slowest stage: {slowest['stage']} ({slowest['seconds']:.2f} s)")


def print_growth(figures: dict[int, dict]) -> None:
    sizes = sorted(figures)
    for a, b in zip(sizes, sizes[1:]):
        fa, fb = figures[a], figures[b]
        rows = fb["input_rows"] / max(fa["input_rows"], 1)
        print(f"\n== growth {a:,} -> {b:,} households (rows x{rows:.1f}); time ratio / rows ratio (1.0 = linear)")
        by_stage = {s["stage"]: s for s in fa["stages"]}
        for s in fb["stages"]:
            old = by_stage.get(s["stage"])
            if old and old["seconds"] > 0:
                ratio = s["seconds"] / old["seconds"]
                flag = "  <- worse than linear" if ratio / rows > 1.5 and s["seconds"] > 1 else ""
                print(f"{s['stage']:<14} x{ratio:>6.1f} time  ({ratio / rows:4.2f}){flag}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="households per county, comma-separated")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "doudi_bench", help="where counties are generated (kept)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-reports", action="store_true", help="skip the township workbooks")
    ap.add_argument("--profile", help="run this stage under pyinstrument (ingest, prepare, link, screen, store, reports ...)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size, figures as JSON on stdout
    args = ap.parse_args()

    if args.one:
        fig = run_one(county(args.one, args.dir, args.seed), not args.no_reports, args.profile)
        print("FIGURES " + json.dumps(fig))
        return

    figures: dict[int, dict] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        county(size, args.dir, args.seed)  # generate outside the measured child
        cmd = [sys.executable, __file__, "--one", str(size), "--dir", str(args.dir), "--seed", str(args.seed)]
        cmd += ["--no-reports"] if args.no_reports else []
        cmd += ["--profile", args.profile] if args.profile else []
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        line = next((l for l in done.stdout.splitlines() if l.startswith("FIGURES ")), None)
        if done.returncode or line is None:
            sys.exit(f"size {size} failed (exit {done.returncode})")
        figures[size] = json.loads(line.removeprefix("FIGURES "))
        print_one(size, figures[size])
    print_growth(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
