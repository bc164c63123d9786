"""The forms an address offers, and the 404 of a form it has not (`/doc/division/X.csv`, `/def.tsv`).

An extension names one representation (docs/linked-data.md, "Content negotiation"), so one the resource has not is
a 404, not a 406; but a bare 404 said nothing of the forms there are (cold review 21 found `.json`; `.csv`, `.xlsx`,
`.tsv` … of a duty, a department or `/def` were bare still). Every such 404 is `NotOffered`: Chinese and English,
naming each form the resource has with its address, in JSON, plain text or the site's error page (which shows them
as links: server/views/common.py `http_error`). A 406 names them the same way (server/conneg.py `negotiate`).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from werkzeug.exceptions import NotFound

from luzhi.server.conneg import Offer, offers_text
from luzhi.server.links import FormatLink, format_links, link
from luzhi.server.tables import table_links


class NotOffered(NotFound):
    """A 404 for a form the resource has not, carrying the `links` to those it has, and what the error page says
    above them (`page_message`: the links once, not their addresses again in the text)."""

    def __init__(self, description: str, links: Sequence[Offer], page_message: str) -> None:
        super().__init__(description)
        self.links = tuple(links)
        self.page_message = page_message


def page_link(path: str, keep: Sequence[str] = ()) -> FormatLink:
    """The HTML page at `path` (without extension), keeping the query parameters named in `keep`."""
    return FormatLink("text/html", "HTML", link(path, keep=keep))


def resource_offers(path: str, *, tables: bool = False, keep: Sequence[str] = ()) -> list[FormatLink]:
    """The forms of a page with RDF twins (`/doc/…`, `/def`, VoID): the page, its RDF and, for a list or a duty
    kind (`tables`), its table's JSON, CSV and .xlsx, keeping the query parameters named in `keep`."""
    return [page_link(path, keep), *format_links(path), *(table_links(path, keep=keep) if tables else ())]


def not_offered(ext: str, links: Sequence[Offer], *, note: tuple[str, str] = ("", "")) -> NotOffered:
    """The 404 of this request's address, whose `.ext` the resource has not: it names `links`, the forms it has;
    `note` (Chinese, English) says more where there is more to say."""
    path, where = request.path, offers_text(links)
    zh, en = note
    return NotOffered(f"{path} 不存在：此资源没有 .{ext} 形式{zh}；它的各形式：{where} / {path} does not exist: "
                      f"this resource has no .{ext} form{en}; it is offered as {where}", links,
                      f"{path} 不存在：此资源没有 .{ext} 形式{zh}；它的各形式如下 / {path} does not exist: this "
                      f"resource has no .{ext} form{en}; it is offered as below")
