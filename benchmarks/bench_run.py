"""Whole-run benchmark: every stage of ``run_quarter`` (no Prefect) on generated counties.

    python benchmarks/bench_run.py [--sizes 10000,100000] [--dir /tmp/doudi_bench] [--no-reports]
                                   [--profile STAGE]
    python benchmarks/bench_run.py --province 10 --sizes 20000 --dask-workers 2 --dir /work/bench_province
                                   [--abort-mb 10000] [--only one|dask]

A province (``--province N``): N counties of the first size, generated one at a time
(``sample_data.province``), run once in one process, then on a local Dask cluster of
``--dask-workers`` worker processes as the flow runs it (its executor: files, identity's pair
scoring and county reports mapped on the workers; ``DaskExecutor`` here, without Prefect); printed
side by side per stage: wall seconds and the peak RSS of the largest single process.

For each size a county is generated once in CSV form (``sample_data.generate --forms csv``,
quarter 2026Q3; reused when ``--dir`` already holds it) and ``run_quarter`` runs on it, as
``doudi run`` does but without Prefect, in a fresh child process (so that one size's memory does
not inflate the next): ingest (read, normalise and validate each file), combine (the tables
of all files), link, screen, store (into a new DuckDB file), reports.  Printed per stage: wall
seconds, the RSS at its start (what the stages before it left held), peak RSS during the stage (psutil, sampled every 50 ms in a thread; the process and its
children, i.e. the township workbooks' worker processes; this process's own peak exact, from the kernel) and the RSS growth; then the run's
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
    """Wall time and peak RSS per stage (a sampling thread keeps the running maximum, every 50 ms):
    of the process and its children together, and of the largest single process among them (a Dask
    cluster's workers are children too).  Stages may nest (identity's pair scoring inside it).

    This process's own peak is the kernel's (Linux: its RSS high-water mark, reset at each stage's
    start), exact however short the peak; sampling it every 10 ms instead cost a tenth of the run's
    time (4 s of 42 at 200,000 households)."""

    def __init__(self, interval: float = 0.05, abort_mb: int = 0):
        self.proc = psutil.Process()
        self.exact = _peak_reset()  # this process's own peak read from the kernel (Linux), not sampled
        self.interval = interval
        self.abort_mb = abort_mb
        self.stages: list[dict] = []
        self._open: list[list[int]] = []  # per open stage: [peak of the sum, of the largest, of the largest child]
        self._names: list[str] = []  # the open stages
        self.run_largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _rss_each(self) -> list[int]:
        """This process's and each child's RSS (the township workbooks' or the cluster's processes)."""
        out = [self.proc.memory_info().rss]
        for child in self.proc.children(recursive=True):
            try:
                out.append(child.memory_info().rss)
            except psutil.Error:  # ended between the listing and the reading
                pass
        return out

    def _rss(self) -> int:
        return sum(self._rss_each())

    def _cpu(self) -> float:
        """CPU seconds (user + system) of this process, its ended children and its live ones: a
        stage's share of the two cores is its CPU seconds over its wall seconds."""
        own = self.proc.cpu_times()
        total = own.user + own.system + own.children_user + own.children_system
        for child in self.proc.children(recursive=True):
            try:
                t = child.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def _abort(self, largest: int) -> None:
        done = ", ".join(f"{st['stage']} {st['seconds']:.0f} s" for st in self.stages)
        print(f"ABORTED: a process passed {self.abort_mb:,} MB ({largest / 2**20:,.0f} MB) "
              f"in {[name for name in self._names] or '?'}; stages done: {done}", file=sys.stderr, flush=True)  # fmt: skip
        for child in self.proc.children(recursive=True):
            try:
                child.kill()
            except psutil.Error:
                pass
        os._exit(99)

    def _sample(self) -> None:
        while not self._stop.is_set():
            each = self._rss_each()
            total, largest, child = sum(each), max(each), max(each[1:], default=0)
            self.run_largest = max(self.run_largest, largest)
            if self.abort_mb and largest > self.abort_mb * 2**20:
                self._abort(largest)
            for peaks in list(self._open):
                peaks[0], peaks[1], peaks[2] = max(peaks[0], total), max(peaks[1], largest), max(peaks[2], child)
            time.sleep(self.interval)

    def _fold_own_peak(self, reset: bool) -> None:
        """This process's exact peak since the last reset (the kernel's high-water mark) into every
        open stage; then, with ``reset``, start a new one."""
        if not self.exact:
            return
        own = _own_peak()
        self.run_largest = max(self.run_largest, own)
        for peaks in self._open:
            peaks[1] = max(peaks[1], own)
        if reset:
            _peak_reset()

    @contextmanager
    def stage(self, name: str, profile: str | None = None):
        gc.collect()
        self._fold_own_peak(reset=True)
        each = self._rss_each()
        start_rss = sum(each)
        peaks = [start_rss, max(each), max(each[1:], default=0)]
        self._open.append(peaks)
        self._names.append(name)
        profiler = None
        if profile == name:
            try:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            except ImportError:
                print("pyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        started, cpu = time.perf_counter(), self._cpu()
        try:
            yield
        finally:
            seconds, cpu = time.perf_counter() - started, self._cpu() - cpu
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
            self._fold_own_peak(reset=False)
            self._open = [p for p in self._open if p is not peaks]
            self._names.remove(name)
            each = self._rss_each()
            end_rss = sum(each)
            peak, largest = max(peaks[0], end_rss), max(peaks[1], max(each))
            self.stages.append(
                {"stage": name, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 1), "start_mb": round(start_rss / 2**20),
                 "peak_mb": round(peak / 2**20), "largest_mb": round(largest / 2**20), "child_mb": round(peaks[2] / 2**20),
                 "grew_mb": round((end_rss - start_rss) / 2**20)}  # fmt: skip
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _own_peak() -> int:
    """This process's peak RSS in bytes since the last ``_peak_reset`` (VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _peak_reset() -> bool:
    """Reset the kernel's high-water mark of this process's RSS; False where that cannot be done."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


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
STAGES = {"读取与校验": "ingest", "合并各表": "combine", "人员识别": "link", "人员比对": "link.pairs",
          "筛查规则": "screen", "写入数据库": "store", "生成乡镇清单": "reports", "生成各县清单": "reports.county",
          "生成全省汇总": "reports.province"}  # fmt: skip


NESTED = {"link.pairs"}  # a stage inside another (identity's pair scoring on a cluster)


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


class DaskExecutor:
    """``run_quarter``'s stages as the flow runs them on a Dask cluster, without Prefect: a stage
    in this process, a map on the cluster's workers (``client.map``), ``partitions`` as
    ``flows.quarterly.cluster_partitions`` gives."""

    def __init__(self, client, progress: Progress, partitions: int) -> None:
        self.client, self.progress, self.partitions = client, progress, partitions

    def call(self, stage: str, fn, *args):
        with self.progress.stage(stage):
            return fn(*args)

    def map(self, stage: str, fn, items: list, weights: list[float] | None = None):  # noqa: ARG002 - each worker holds one item
        with self.progress.stage(stage, total=len(items)):
            return self.client.gather(self.client.map(fn, items, pure=False))


@contextmanager
def _executor(progress: Progress, dask_workers: int):
    from pipeline.executor import LocalExecutor

    if not dask_workers:
        yield LocalExecutor(progress)
        return
    from distributed import Client, LocalCluster

    from flows.quarterly import PARTITIONS_PER_WORKER

    with LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=0, silence_logs=40) as cluster, Client(cluster) as client:  # fmt: skip
        yield DaskExecutor(client, progress, PARTITIONS_PER_WORKER * dask_workers)


def run_one(folder: Path, reports: bool, profile: str | None, dask_workers: int = 0, abort_mb: int = 0) -> dict:
    """``run_quarter`` on ``folder`` (no Prefect), every stage measured; returns the figures.
    ``dask_workers``: on a local Dask cluster of that many worker processes, as the flow runs a
    province; ``abort_mb``: stop the run when a process passes that RSS."""
    import duckdb

    from pipeline.policy import load_policy
    from pipeline.run import run_quarter

    meter = Meter(abort_mb=abort_mb)
    work = Path(tempfile.mkdtemp(prefix="doudi_bench_run_"))
    db = work / "bench.duckdb"
    started = time.perf_counter()
    try:
        with _executor(MeteredProgress(meter, profile), dask_workers) as executor:
            result = run_quarter(folder, QUARTER, load_policy(), db, work / "reports" if reports else None, executor=executor)
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
        "largest_mb": round(meter.run_largest / 2**20),
    }


def _ru_maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def print_one(label: str, fig: dict) -> None:
    total = sum(s["seconds"] for s in fig["stages"] if s["stage"] not in NESTED)
    print(f"\n== {label}: {fig['input_rows']:,} input rows -> {fig['accepted']:,} accepted, "
          f"{fig['rejected']:,} rejected, {fig['persons']:,} persons, {fig['cases']:,} cases")  # fmt: skip
    print(f"{'stage':<18}{'seconds':>10}{'share':>8}{'CPU s':>8}{'RSS at start':>14}{'peak RSS MB':>13}{'largest MB':>12}{'child MB':>10}{'RSS +MB':>9}")
    for s in fig["stages"]:
        print(f"{s['stage']:<18}{s['seconds']:>10.2f}{s['seconds'] / total:>8.0%}{s.get('cpu_seconds', 0):>8.1f}{s.get('start_mb', 0):>14,}{s['peak_mb']:>13,}"
              f"{s.get('largest_mb', 0):>12,}{s.get('child_mb', 0):>10,}{s['grew_mb']:>9,}")  # fmt: skip
    slowest = max(fig["stages"], key=lambda s: s["seconds"])
    peak = max(s["peak_mb"] for s in fig["stages"])
    cpu = sum(s.get("cpu_seconds", 0) for s in fig["stages"] if s["stage"] not in NESTED)
    print(f"{'total':<18}{total:>10.2f}{'':>8}{cpu:>8.1f}{'':>14}{peak:>13,}{fig.get('largest_mb', 0):>12,}   "
          "(peak RSS: the process and its worker processes together; the largest single process; child MB: the largest worker process)")  # fmt: skip
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


def province(n: int, households: int, base: Path, seed: int) -> Path:
    """``n`` counties of ``households`` each, generated one at a time (``sample_data.province``)."""
    from sample_data.province import COUNTIES, generate_county

    folder = base / f"p{n}x{households}" / QUARTER
    for i in range(n):
        if not (folder / COUNTIES[i][0]).is_dir():
            print(f"generating county {i + 1}/{n} ({households} households) into {folder} ...", file=sys.stderr, flush=True)
            generate_county(folder / COUNTIES[i][0], i, households, 100 * seed + i, QUARTER)
    return folder


def print_sides(single: dict, dask: dict, workers: int) -> None:
    """Stage by stage: wall seconds and the largest single process, in one process and on Dask."""
    print(f"\n== one process vs Dask ({workers} workers): seconds, largest process peak RSS MB")
    print(f"{'stage':<18}{'one: s':>10}{'one: MB':>10}{'dask: s':>10}{'dask: MB':>10}")
    a = {s["stage"]: s for s in single["stages"]}
    b = {s["stage"]: s for s in dask["stages"]}
    for name in dict.fromkeys([*a, *b]):
        x, y = a.get(name, {}), b.get(name, {})
        cells = [f"{x['seconds']:>10.1f}" if x else f"{'-':>10}", f"{x['largest_mb']:>10,}" if x else f"{'-':>10}",
                 f"{y['seconds']:>10.1f}" if y else f"{'-':>10}", f"{y['largest_mb']:>10,}" if y else f"{'-':>10}"]  # fmt: skip
        print(f"{name:<18}{''.join(cells)}")
    print(f"{'run (wall)':<18}{single['wall_seconds']:>10.1f}{single['largest_mb']:>10,}{dask['wall_seconds']:>10.1f}{dask['largest_mb']:>10,}")


def _child(args, target: str, dask_workers: int = 0) -> dict:
    cmd = [sys.executable, __file__, "--dir", str(args.dir), "--seed", str(args.seed), *target.split("\0")]
    cmd += ["--no-reports"] if args.no_reports else []
    cmd += ["--profile", args.profile] if args.profile else []
    cmd += ["--dask-workers", str(dask_workers)] if dask_workers else []
    cmd += ["--abort-mb", str(args.abort_mb)] if args.abort_mb else []
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = next((l for l in done.stdout.splitlines() if l.startswith("FIGURES ")), None)
    if done.returncode or line is None:
        sys.exit(f"{target} failed (exit {done.returncode})")
    return json.loads(line.removeprefix("FIGURES "))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="households per county, comma-separated")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "doudi_bench", help="where counties are generated (kept)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-reports", action="store_true", help="skip the township workbooks")
    ap.add_argument("--profile", help="run this stage under pyinstrument (ingest, prepare, link, screen, store, reports ...)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--province", type=int, help="a province of this many counties of --sizes households each: "
                    "one process, then a local Dask cluster of --dask-workers workers")  # fmt: skip
    ap.add_argument("--dask-workers", type=int, default=0, help="worker processes of the local Dask cluster (province)")
    ap.add_argument("--abort-mb", type=int, default=0, help="stop a run when one process passes this RSS")
    ap.add_argument("--only", choices=("one", "dask"), help="a province: run only one side (one process, or Dask)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size, figures as JSON on stdout
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)  # child process: this folder
    args = ap.parse_args()

    if args.one or args.folder:
        folder = args.folder or county(args.one, args.dir, args.seed)
        fig = run_one(folder, not args.no_reports, args.profile, args.dask_workers, args.abort_mb)
        print("FIGURES " + json.dumps(fig))
        return

    figures: dict = {}
    if args.province:
        size = int(args.sizes.split(",")[0])
        folder = province(args.province, size, args.dir, args.seed)  # generated outside the measured child
        label = f"{args.province} counties x {size:,} households"
        workers = args.dask_workers or 2
        if args.only != "dask":
            figures["one"] = _child(args, f"--folder\0{folder}")
            print_one(label + ", one process", figures["one"])
        if args.only != "one":
            figures["dask"] = _child(args, f"--folder\0{folder}", workers)
            print_one(label + f", Dask {workers} workers", figures["dask"])
        if not args.only:
            print_sides(figures["one"], figures["dask"], workers)
    else:
        for size in (int(s) for s in args.sizes.split(",")):
            county(size, args.dir, args.seed)  # generate outside the measured child
            figures[size] = _child(args, f"--one\0{size}")
            print_one(f"{size:,} households", figures[size])
        print_growth(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
