"""Query-string parameters that name one thing: given at most once, and a resource of ours named as a reader
would name it. Each refusal is a 400 naming the parameter and what it takes, Chinese then English.

A repeated `page` was read as its first value, `search.json?category=/id/category/…` was refused though the list
pages take paths, and `township=javascript:` searched for a township of that IRI (cold review): the list pages
and /search now read their parameters alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import abort, request

from luzhi.server.context import get_store
from luzhi.server.describe import InvalidIri, check_iri, exists
from luzhi.server.links import iri_for_path, local_path


def single_arg(name: str) -> str | None:
    """The query parameter `name`, or None; a 400 naming it when it is given more than once."""
    values = request.args.getlist(name)
    if len(values) > 1:
        abort(400, description=repeated_message(name, values))
    return values[0] if values else None


def repeated_message(name: str, values: list[str]) -> str:
    """The 400's words for a parameter given more than once (zh / en), with the values given."""
    return f"参数 {name} 只能给一次 / parameter `{name}` may be given once, got {values[:5]!r}"


@dataclass(frozen=True)
class ResourceKind:
    """What a parameter naming a resource of ours takes: its IRIs' path under /id/, what the 400 says it takes
    (zh, en), and the short name a reader may give alone (a category's slug, a division's code)."""

    path: str  # "category", "org", "division"
    takes_zh: str
    takes_en: str
    short: re.Pattern | None = None


CATEGORY = ResourceKind("category", "本数据集的类别地址、路径 /id/category/… 或其标识（如 ping-an-fa-zhi）",
                        "a category of this dataset: its IRI, its path /id/category/… or its slug (ping-an-fa-zhi)",
                        re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*"))
DEPARTMENT = ResourceKind("org", "本数据集的部门地址或路径 /id/org/…",
                          "a department of this dataset: its IRI or its path /id/org/…")
DIVISION = ResourceKind("division", "本数据集的行政区地址、路径 /id/division/… 或其代码（如 140226207）",
                        "a division of this dataset: its IRI, its path /id/division/… or its code (140226207)",
                        re.compile(r"[0-9]{2,12}"))


def resource_arg(name: str, kind: ResourceKind) -> str | None:
    """The IRI of the resource the parameter `name` names (its IRI, its path `/id/{kind}/…`, or its short name),
    given at most once; None when absent or empty; a 400 naming `name` for anything the store does not hold as
    a resource of that kind (`javascript:`, another site's IRI, a category that is none)."""
    given = single_arg(name)
    value = (given or "").strip()
    if not value:
        return None
    if kind.short is not None and kind.short.fullmatch(value):
        value = f"/id/{kind.path}/{value}"
    iri = value if "://" in value else iri_for_path(value if value.startswith("/") else "/" + value)
    try:
        check_iri(iri)
        known = (local_path(iri) or "").startswith(f"/id/{kind.path}/") and exists(get_store(), iri)
    except InvalidIri:
        known = False
    if not known:
        abort(400, description=f"参数 {name} 应为{kind.takes_zh}，收到 {given!r} / parameter `{name}` takes "
                               f"{kind.takes_en}; got {given!r}")
    return iri
