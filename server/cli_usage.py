"""click's own usage errors in both languages.

click words its errors in English only ("Missing argument 'FILES...'", "No such option '--nope'", "'x' is not a
valid integer range"), where every message of luzhi's own is Chinese, then " / " and English (cold review 29).
`bilingual` puts the gist in Chinese before click's English, which stays whole: it names the value and what is
taken. A message already in both languages (luzhi's own BadParameters) is left as it is.
"""

from __future__ import annotations

import re

import click

_CJK = re.compile(r"[\u4e00-\u9fff]")
# click 8's messages (click/exceptions.py, click/parser.py, click/core.py), the first that matches.
_GIST = (
    (re.compile(r"Missing argument '(.+?)'"), "缺少参数 {}"),
    (re.compile(r"Missing option '(.+?)'"), "缺少选项 {}"),
    (re.compile(r"No such option:? '?([^'\s]+?)'?(?:[.\s]|$)"), "没有选项 {}"),
    (re.compile(r"No such command '(.+?)'"), "没有命令 {}"),
    (re.compile(r"Invalid value for '(.+?)'"), "{} 的值无效"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "多余的参数：{}"),
    (re.compile(r"Option '(.+?)' requires an argument"), "选项 {} 需要一个值"),
    (re.compile(r"Option '(.+?)' does not take a value"), "选项 {} 不带值"),
)


def bilingual(error: click.UsageError) -> click.UsageError:
    """`error` with its message in Chinese, then " / " and click's English; the same usage lines above it."""
    english = error.format_message()
    if _CJK.search(english):
        return error
    gist = next((zh.format(found[1]) for pattern, zh in _GIST if (found := pattern.search(english))), "用法有误")
    command = f"{error.ctx.command_path} " if error.ctx is not None else ""  # none for some option errors
    return click.UsageError(f"{gist}（用法见 {command}--help） / {english}", ctx=error.ctx)
