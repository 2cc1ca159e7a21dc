"""Help in one language: Chinese words around Chinese descriptions, an example per command, ``-h``
and ``--help``, ``--version``; lines fit 80 columns and nothing is cut; the framework's parse
errors are Chinese too."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from flows.cli import app

COMMANDS = [[], ["run"], ["sql"], ["report"], ["runs"], ["deploy"], ["feedback"], ["feedback", "import"], ["review"], ["review", "export"], ["review", "import"]]
# What the framework says in English, and Python types in place of what a value is.
ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[default", "[required", "env var", "<bool>", "<str>", "<path>", "<int>", "list[", "TEXT", "PATH", "INTEGER")


def invoke(args):
    return CliRunner().invoke(app, args, prog_name="doudi", env={"COLUMNS": "80", "TERMINAL_WIDTH": "80"})


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "doudi")
def test_help_is_chinese_fits_80_columns_and_shows_an_example(command):
    long, short = invoke([*command, "--help"]), invoke([*command, "-h"])
    assert long.exit_code == 0 and short.exit_code == 0, long.output
    assert long.output == short.output
    text = long.output
    assert f"用法：doudi {' '.join(command)}".rstrip() in text
    assert "显示本帮助并退出" in text
    for word in ENGLISH:
        assert word not in text, word
    assert "…" not in text  # no help text cut short
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    if command not in ([], ["feedback"], ["review"]):  # a command, not a group of commands
        assert "示例：doudi " + " ".join(command) in text.replace("\n ", " ")


def test_version():
    for flag in ("--version", "-V"):
        result = invoke([flag])
        assert result.exit_code == 0
        assert result.output.strip() == f"doudi {version('doudi')}"


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--bogus"], "没有选项 --bogus"),
        (["runs", "--limit", "x"], "--limit 应为整数"),
        (["sql"], "缺少参数 查询"),
        (["nope"], "没有命令 nope"),
        (["run", "--db"], "选项 --db 后面要跟一个值"),
    ],
)
def test_parse_errors_are_chinese(args, message):
    result = invoke(args)
    assert result.exit_code == 2
    assert message in result.output, result.output
    assert "Usage" not in result.output and "Error" not in result.output and "Try" not in result.output
