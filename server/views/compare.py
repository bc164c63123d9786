"""`/compare?t=CODE&t=CODE…`: 2–5 townships side by side (issue 14), as HTML, JSON, CSV and .xlsx.

The twins are `/compare.json`, `/compare.csv`, `/compare.xlsx` with the same `t` parameters, or
`/compare` negotiated by `Accept`. Bad parameters are a 400 that names them, never a 500. A browser asking
for `/compare` without townships, or with codes that cannot be compared, gets a form to choose them (with
what was wrong, as a 400): a bare 400 page left a reader who followed a link to `/compare` nowhere to go.
"""

from __future__ import annotations

from flask import Response, request

from luzhi.ontology.duty_texts import DUTY_TEXT_KEYS
from luzhi.server.comparison import MAX_TOWNSHIPS, CompareError, Comparison, compare, given_codes, parse_codes
from luzhi.server.conneg import negotiate
from luzhi.server.context import get_config, get_store
from luzhi.server.offers import not_offered, page_link
from luzhi.server.tables import Table, table_links, table_response
from luzhi.server.views.common import json_error, render_page, wants_html_page
from luzhi.store.formats import TABLE_FORMATS

HTML = "text/html"


def comparison(ext: str | None = None) -> Response:
    mime = None
    if ext is None:
        mime = negotiate([HTML, *(f.mime for f in TABLE_FORMATS)])
        ext = next((f.extension for f in TABLE_FORMATS if f.mime == mime), None)
    elif ext not in {f.extension for f in TABLE_FORMATS}:
        raise not_offered(ext, [page_link("/compare", ("t",)), *table_links("/compare", keep=("t",))])
    try:
        codes = parse_codes(request.args.getlist("t"))
        result = compare(get_store(), get_config().base, codes)
    except CompareError as error:
        if ext == "json":  # a JSON client parses its errors too (cold review)
            return json_error(400, str(error))
        if mime == HTML and wants_html_page():  # a browser: the form again, saying what was wrong
            return _form(error=str(error) if request.args.getlist("t") else None)
        # curl, scripts and CSV clients: plain text, readable as is
        return Response(f"400 {error}\n", status=400, content_type="text/plain; charset=utf-8")
    if ext is not None:
        return table_response(as_table(result), ext, json_body=as_json(result))
    return render_page(
        "compare.html",
        c=result,
        title="比较 Compare: " + " · ".join(t.label for t in result.townships),
        alternates=table_links("/compare", keep=("t",)),
    )


def _form(error: str | None) -> Response:
    """The form to choose townships, filled with the codes given; 400 with `error`, 200 for a bare `/compare`."""
    given = given_codes(request.args.getlist("t"))  # all of them: six shown, one to drop
    return render_page("compare_form.html", status=400 if error else 200, error=error,
                       codes=given + [""] * (MAX_TOWNSHIPS - len(given)), title="比较 Compare")


def as_table(c: Comparison) -> Table:
    """One sheet: a `section` column says whether a row counts duties (`count`) or places a kind (`kind`);
    each township's column holds a count, or the lists that township holds the kind in."""
    codes = tuple(t.code for t in c.townships)
    columns = ("section", "list", "category_or_kind", "label", *(f"{t.code} {t.label}" for t in c.townships))
    rows = [("count", r.list_kind.value, str(r.category or ""), r.category_label, *r.counts) for r in c.counts]
    rows += [
        ("kind", "", str(k.kind), k.label, *(" ".join(lists) for lists in k.lists)) for k in c.kinds
    ]
    return Table("compare-" + "-".join(codes), columns, tuple(rows))


def as_json(c: Comparison) -> dict:
    def town(t):
        return {"code": t.code, "iri": str(t.iri), "label": t.label}

    def duty(township, iri, title):
        """One side of a reform row: the duty, its title and its extra columns' texts (null: none)."""
        texts = c.duty_texts.get(iri, {})
        return {"township": township.code, "duty": str(iri), "title": title,
                **{key: texts.get(key) for key in DUTY_TEXT_KEYS}}

    return {
        "townships": [town(t) for t in c.townships],
        "counts": [
            {"list": r.list_kind.value, "category": str(r.category) if r.category else None,
             "label": r.category_label, "counts": list(r.counts)}
            for r in c.counts
        ],
        "kinds": [
            {"kind": str(k.kind), "label": k.label, "lists": [list(lists) for lists in k.lists]} for k in c.kinds
        ],
        "shared_by_all": [str(k.kind) for k in c.shared],
        "only": {t.code: [str(k.kind) for k in c.only(i)] for i, t in enumerate(c.townships)},
        "basic_here_reclaimed_there": [
            {"kind": str(r.kind), "label": r.label,
             "basic": duty(r.doer, r.doer_duty, r.doer_title),
             "reclaimed": duty(r.reclaimer, r.reclaimer_duty, r.reclaimer_title)}
            for r in c.reform
        ],
    }
