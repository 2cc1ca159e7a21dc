"""``doudi``'s help and usage errors in Chinese, whatever the framework would say in English.

Typer draws the help with rich from a few module-level words (panel titles, ``[default: …]``);
they are set here once.  The usage line (``Usage:``), the help option's text (``Show this message
and exit.``) and the framework's parse errors (``No such option: --x``) come from the command
classes, so ``doudi`` uses its own: ``Group`` for the application and sub-applications,
``Command`` for each command.  ``Group.invoke`` is also where the project's expected errors
become one red line and an exit code: ``UsageError`` 2, ``DatabaseBusy`` 3.
"""

from __future__ import annotations

import re

import typer
import typer.rich_utils as rich_utils
from typer.core import TyperCommand, TyperGroup

from pipeline.errors import DatabaseBusy, UsageError

HELP_OPTION_TEXT = "显示本帮助并退出"
USAGE_PREFIX = "用法："
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.ABORTED_TEXT = "已中止。"
rich_utils.RICH_HELP = "查看帮助：[blue]{command_path} {help_option}[/]"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.ENVVAR_STRING = "[环境变量：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.DEPRECATED_STRING = "（已停用）"

# The framework's parse errors -> Chinese (pattern, replacement); anything else is left as is.
_ERRORS = [
    (re.compile(r"^No such option: (\S+)(?: Did you mean (\S+)\?)?$"), lambda m: f"没有选项 {m[1]}" + (f"，是不是 {m[2]}？" if m[2] else "")),
    (re.compile(r"^No such command '(.+)'\.$"), lambda m: f"没有命令 {m[1]}"),
    (re.compile(r"^Missing option '(.+)'\.?$"), lambda m: f"缺少选项 {m[1]}"),
    (re.compile(r"^Missing argument '(.+)'\.?$"), lambda m: f"缺少参数 {m[1]}"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), lambda m: f"选项 {m[1]} 后面要跟一个值"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), lambda m: f"多余的参数：{m[1]}"),
    (re.compile(r"^Invalid value for '(.+)': .*valid integer.*$"), lambda m: f"{m[1]} 应为整数"),
    (re.compile(r"^Invalid value for '(.+)': .*valid number.*$"), lambda m: f"{m[1]} 应为数字"),
    (re.compile(r"^Invalid value for '(.+)': .* is not in the range x>=(\d+)\.?$"), lambda m: f"{m[1]} 应不小于 {m[2]}"),
    (re.compile(r"^Invalid value for '(.+)': (.+)$"), lambda m: f"{m[1]} 的值不对：{m[2]}"),
]


def chinese_error(message: str) -> str:
    for pattern, replace in _ERRORS:
        m = pattern.match(message.strip())
        if m:
            return replace(m)
    return message


def refuse(message: str, code: int) -> None:
    """Print ``message`` alone, in red, on stderr, and end the command with ``code``."""
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(message, style="red", markup=False, highlight=False)
    raise typer.Exit(code)


def _in_chinese(e: Exception) -> None:
    if hasattr(e, "format_message") and hasattr(e, "ctx"):  # the framework's UsageError (a parse error)
        text = chinese_error(e.format_message())
        e.format_message = lambda: text


def _plain_params(params) -> None:
    """No Python types in the help (``<bool>``, ``<str>``, ``<list[Path]>``): an argument shows its
    name (its metavar, without ``{}``), a flag nothing."""
    from typer.core import TyperArgument, TyperOption

    for p in params:
        if isinstance(p, TyperArgument):
            name = p.display_name_raw + ("..." if p.nargs != 1 and p.metavar is None else "")
            p.display_type_rich = lambda ctx: None
            p._usage_display_name = lambda name=name, required=p.required: name if required else f"[{name}]"
        elif isinstance(p, TyperOption) and p.is_flag and p.metavar is None:
            p.metavar = ""


class _Chinese:
    """Usage line, help option and parse errors in Chinese (mixed into both classes below)."""

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
            _plain_params([option])
        return option

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except Exception as e:
            _in_chinese(e)
            raise


class Command(_Chinese, TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        kwargs["options_metavar"] = OPTIONS_METAVAR
        super().__init__(*args, **kwargs)
        _plain_params(self.params)


class Group(_Chinese, TyperGroup):
    def __init__(self, *args, **kwargs) -> None:
        kwargs["options_metavar"] = OPTIONS_METAVAR
        kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)
        _plain_params(self.params)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except Exception as e:
            _in_chinese(e)
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UsageError as e:
            refuse(str(e), 2)
        except DatabaseBusy as e:
            refuse(str(e), 3)
