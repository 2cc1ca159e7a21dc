"""The house rules of the code (issue: one staging schema, a thin run): checked, not hoped for.

- ``pipeline/`` imports neither Prefect nor ``flows/`` (the library never needs the scheduler);
- ``contracts/`` imports neither ``pipeline/`` nor DuckDB (declaring is apart from running);
- no function of ``pipeline/`` is over 80 lines, and ``pipeline/run.py`` (the orchestrator) stays short;
- no source file imports a POSIX-only module (county analysts work on Windows);
- every module imports on its own (no import cycle).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 80
MAX_RUN_LINES = 250


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_pipeline_imports_neither_prefect_nor_flows():
    bad = {str(p.relative_to(ROOT)): sorted(_imports(p) & {"prefect", "flows", "prefect_dask", "dask"}) for p in _sources("pipeline")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_contracts_import_neither_pipeline_nor_duckdb():
    bad = {str(p.relative_to(ROOT)): sorted(_imports(p) & {"pipeline", "duckdb", "flows"}) for p in _sources("contracts")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_no_source_file_imports_a_posix_only_module():
    posix_only = {"fcntl", "resource", "termios", "pwd", "grp"}  # Windows has none of them
    found = {str(p.relative_to(ROOT)): sorted(_imports(p) & posix_only) for package in ("pipeline", "contracts", "flows") for p in _sources(package)}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_function_of_pipeline_is_over_80_lines():
    long = {
        f"{p.relative_to(ROOT)}:{node.name}": node.end_lineno - node.lineno + 1
        for p in _sources("pipeline")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}


def test_the_orchestrator_stays_short():
    assert len((ROOT / "pipeline" / "run.py").read_text(encoding="utf-8").splitlines()) < MAX_RUN_LINES


def test_every_module_imports_on_its_own():
    """Each module of ``pipeline/`` and ``contracts/`` imports first, in a fresh interpreter: an
    import cycle (a package whose ``__init__`` reaches back into a module half imported) breaks
    whoever imports the wrong one first, e.g. an analyst's script."""
    import subprocess
    import sys

    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in ("contracts", "pipeline") for p in _sources(package)
    ]
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] in ('contracts', 'pipeline')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as err:\n"
        "        failed.append(f'{name}: {err}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *modules], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
