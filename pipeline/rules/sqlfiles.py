"""The SQL of the rules stage, read from ``sql/``: facts, rules, marts and views.

Each file is self-describing (STYLE.md, sqlmesh): it opens with a comment header.

- ``sql/facts/<name>.sql`` and ``sql/marts/<name>.sql``: ``-- one row per ...: key column`` (or
  ``key (column, column)``: no two rows share it; a test holds every fact to it) and, when the
  file reads policy numbers, ``-- policy: key, key``.  A fact is materialised once per run as a table
  named after its file; facts are created in dependency order (a fact depends on the facts whose
  names its text mentions).  A fact with ``-- materialized: view`` is a view instead: for a large
  fact that one query reads for a few of its rows (a view binds no policy numbers).
- ``sql/rules/<CODE>.sql``: ``-- <CODE> | sieve <n> | <kind> | <rule name> | one row per ...`` then
  ``-- policy: key, key`` (or ``-- policy: none``) and ``-- reads: table, table`` (or ``none``): the
  input tables the rule cannot be judged without.  A run whose folder lacks one of them (a table
  the county does not export) does not run the rule: it is 未筛查 that quarter.  The header is the one place a rule's sieve,
  kind and Chinese name are written.  The query selects ``person_key``, ``detail``, ``amount`` and
  ``record_ids`` (the evidence).

Numbers come in as DuckDB named parameters (``$dibao_monthly_standard``): ``bind`` passes each
query exactly the parameters it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from contracts.sources import TABLES

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
KINDS = ("missed", "exit", "review")

_RULE_HEADER = re.compile(
    r"^--\s*(?P<code>(?:S\d+|Y)-\d+)\s*\|\s*sieve\s+(?P<sieve>\d+)\s*\|\s*(?P<kind>\w+)\s*\|"
    r"\s*(?P<name>[^|]+?)\s*\|\s*(?P<grain>one row per .+?)\s*$"
)
_POLICY = re.compile(r"^--\s*policy:\s*(?P<keys>.*?)\s*$", re.M)
_READS = re.compile(r"^--\s*reads:\s*(?P<tables>.*?)\s*$", re.M)
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(?P<how>\w+)", re.M)
_GRAIN = re.compile(r"^--\s*(?P<grain>one row\b.*?)\s*$", re.M)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")


class SqlHeaderError(ValueError):
    """A SQL file whose header does not say what the stage needs."""


def code_only(sql: str) -> str:
    """The SQL without comments and string literals: what parameters and names are read from."""
    return _STRING.sub("''", _COMMENT.sub("", sql))


def parameters(sql: str) -> set[str]:
    """The ``$names`` a query binds."""
    return set(_PARAM.findall(code_only(sql)))


def bind(sql: str, values: dict[str, object]) -> dict[str, object]:
    """Exactly the parameters ``sql`` names, taken from ``values`` (a missing one is an error)."""
    names = parameters(sql)
    missing = names - set(values)
    if missing:
        raise KeyError(f"no value for SQL parameter(s) {sorted(missing)}")
    return {n: values[n] for n in names}


def _policy_keys(text: str, path: Path) -> tuple[str, ...]:
    m = _POLICY.search(text)
    if not m:
        return ()
    keys = m.group("keys")
    if keys in ("", "none"):
        return ()
    return tuple(k.strip() for k in keys.split(",") if k.strip())


def _body(text: str) -> str:
    return text.strip().rstrip(";").strip()


_KEY = re.compile(r":\s*key\s+(?:\((?P<columns>[^)]*)\)|(?P<column>\w+))\s*$")


@dataclass(frozen=True)
class Fact:
    name: str
    grain: str
    policy_keys: tuple[str, ...]
    sql: str
    path: Path
    view: bool = False  # ``-- materialized: view``: created as a view, not a table

    @property
    def key(self) -> tuple[str, ...]:
        """The columns the header names as the key (``...: key person_key``, ``key (a, b)``):
        no two rows share their values.  Empty for a fact without one (a one-row fact)."""
        m = _KEY.search(self.grain)
        if not m:
            return ()
        return tuple(c.strip() for c in (m.group("columns") or m.group("column")).split(","))


@dataclass(frozen=True)
class Rule:
    code: str
    sieve: int
    kind: str
    name: str  # the rule in Chinese words (规则名称)
    grain: str
    policy_keys: tuple[str, ...]
    sql: str
    path: Path
    reads: tuple[str, ...] = ()  # input tables (logical names) the rule cannot be judged without


def _read_fact(path: Path) -> Fact:
    text = path.read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    m = _GRAIN.search(header)
    if not m:
        raise SqlHeaderError(f"{path}: the header must say '-- one row per ...'")
    how = _MATERIALIZED.search(header)
    view = how is not None and how.group("how") == "view"
    if how is not None and how.group("how") not in ("table", "view"):
        raise SqlHeaderError(f"{path}: '-- materialized:' is table or view, not {how.group('how')}")
    if view and parameters(text):
        raise SqlHeaderError(f"{path}: a view binds no policy numbers ({', '.join(sorted(parameters(text)))})")
    return Fact(path.stem, m.group("grain"), _policy_keys(text, path), _body(text), path, view)


def _depends(fact: Fact, names: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code_only(fact.sql)))
    return (words & names) - {fact.name}


@cache
def load_facts(directory: Path = SQL_DIR / "facts") -> tuple[Fact, ...]:
    """Every fact file, ordered so that each comes after the facts it reads."""
    facts = {p.stem: _read_fact(p) for p in sorted(directory.glob("*.sql"))}
    order: list[Fact] = []
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise SqlHeaderError(f"facts depend on each other in a circle: {' -> '.join((*path, name))}")
        for dep in sorted(_depends(facts[name], set(facts))):
            visit(dep, (*path, name))
        done.add(name)
        order.append(facts[name])

    for name in facts:
        visit(name, ())
    return tuple(order)


def load_mart(name: str) -> Fact:
    return _read_fact(SQL_DIR / "marts" / f"{name}.sql")


def _code_key(code: str) -> tuple:
    head, _, n = code.partition("-")
    return (head.startswith("Y"), int(head[1:] or 0), int(n))


def _read_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    m = _RULE_HEADER.match(first)
    if not m:
        raise SqlHeaderError(f"{path}: the first line must be '-- <CODE> | sieve <n> | <kind> | <name> | one row per ...'")
    if m.group("code") != path.stem:
        raise SqlHeaderError(f"{path}: header code {m.group('code')} differs from the file name")
    if m.group("kind") not in KINDS:
        raise SqlHeaderError(f"{path}: kind must be one of {KINDS}")
    if not _POLICY.search(text):
        raise SqlHeaderError(f"{path}: the second line must be '-- policy: key, ...' (or 'none')")
    return Rule(
        m.group("code"), int(m.group("sieve")), m.group("kind"), m.group("name"), m.group("grain"),
        _policy_keys(text, path), _body(text), path, _reads(text, path),
    )


def _reads(text: str, path: Path) -> tuple[str, ...]:
    m = _READS.search(text)
    if not m:
        raise SqlHeaderError(f"{path}: the header must say '-- reads: table, ...' (or 'none')")
    tables = tuple(t.strip() for t in m.group("tables").split(",") if t.strip() and t.strip() != "none")
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise SqlHeaderError(f"{path}: '-- reads:' names no input table {unknown}")
    return tables


@cache
def load_rules(directory: Path = SQL_DIR / "rules") -> tuple[Rule, ...]:
    """Every rule file, in code order (S1-1 .. S8-5, then Y-1 .. Y-4)."""
    return tuple(sorted((_read_rule(p) for p in directory.glob("*.sql")), key=lambda r: _code_key(r.code)))


def load_views(directory: Path = SQL_DIR / "views") -> tuple[str, ...]:
    """The view statements over ``cases`` the DuckDB file carries (missed_cases, exit_cases, disputed_cases)."""
    return tuple(p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.sql")))


def macros(path: Path = SQL_DIR / "macros.sql") -> str:
    return path.read_text(encoding="utf-8")
