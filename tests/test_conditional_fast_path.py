"""A page asked without conditional headers gets the validators and headers `make_conditional` gives it.

Issue 13 (helper perf23): `conditional()` writes `ETag` and `Last-Modified` itself when a request has no
`If-*` or `Range` header, instead of going through werkzeug's `make_conditional` (~0.1 ms of a duty page);
`Vary: Accept` and the security headers are written without werkzeug's parsing. Here the answer to a plain GET is
compared with the answer to the same GET through `make_conditional` (a non-matching `If-None-Match`).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
import requests

PREFIX = "PREFIX lz: <https://w3id.org/luzhi/def#>\n"
# Every header but those that name the moment (Date) or the connection.
COMPARED = ("ETag", "Last-Modified", "Vary", "Content-Type", "Content-Length", "Link", "Content-Security-Policy",
            "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Access-Control-Allow-Origin",
            "Access-Control-Expose-Headers")


@pytest.fixture(scope="module")
def duty_pages(store, live_server) -> list[str]:
    rows = store.select(PREFIX + "SELECT ?d WHERE { ?d a lz:Duty ; lz:listType ?t } ORDER BY ?t ?d LIMIT 3")
    assert len(rows) == 3
    return [live_server.url + "/doc/" + str(row["d"]).split("/id/", 1)[1] for row in rows]


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_plain_get_has_the_headers_make_conditional_gives(duty_pages, accept):
    for url in duty_pages:
        plain = requests.get(url, headers={"Accept": accept})
        through = requests.get(url, headers={"Accept": accept, "If-None-Match": '"not-this-one"'})
        assert plain.status_code == through.status_code == 200
        assert plain.content == through.content
        for name in COMPARED:
            assert plain.raw.headers.getlist(name) == through.raw.headers.getlist(name), (url, name)
        assert plain.headers["Vary"] == "Accept"
        assert len(plain.raw.headers.getlist("Date")) == 1  # the server's own, not a second from werkzeug


def test_the_validators_of_a_plain_get_still_answer_304(duty_pages):
    url = duty_pages[0]
    plain = requests.get(url, headers={"Accept": "text/html"})
    assert requests.get(url, headers={"Accept": "text/html", "If-None-Match": plain.headers["ETag"]}).status_code == 304
    since = {"Accept": "text/html", "If-Modified-Since": plain.headers["Last-Modified"]}
    assert requests.get(url, headers=since).status_code == 304
    assert requests.get(url, headers={"Accept": "text/html", "If-Match": '"not-this-one"'}).status_code == 412


@pytest.mark.parametrize("header", [{"If-Match": '"not-this-one"'},
                                    {"If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}])
@pytest.mark.parametrize("path", ["page", "/dumps/luzhi.nq.gz", "source"])
def test_a_failed_precondition_is_a_412_without_the_body(duty_pages, live_server, header, path):
    """Cold review: werkzeug's 412 kept the whole representation (a 557 kB dump for `If-Match: "nope"`), and
    If-Unmodified-Since, which werkzeug does not read, was answered 200 whatever its date."""
    plain = requests.get(duty_pages[0], headers={"Accept": "text/html"})
    source = re.search(r'href="([^"#]*/source/[^"#]*)', plain.text).group(1)  # the duty's source text
    url = {"page": duty_pages[0], "source": urljoin(duty_pages[0], source)}.get(path, live_server.url + path)
    whole = requests.get(url)
    assert whole.status_code == 200 and len(whole.content) > 5000
    failed = requests.get(url, headers=header)
    assert failed.status_code == 412, failed.text
    assert len(failed.content) < 1000 and "nothing was sent" in failed.text, failed.text[:300]
    now_or_later = {"If-Match": whole.headers["ETag"]} if "If-Match" in header else \
        {"If-Unmodified-Since": whole.headers["Last-Modified"]}
    assert requests.get(url, headers=now_or_later).status_code == 200


def test_if_match_is_judged_before_a_range_and_star_matches(live_server):
    """Cold review 28: a failed If-Match with a Range sent the part (206), so a resumed download could join bytes of
    two dumps; `If-Match: *` failed (412) on a resource that exists. A weak tag never matches (RFC 9110 §13.1.1)."""
    url = live_server.url + "/dumps/luzhi.nq.gz"
    tag = requests.head(url).headers["ETag"]
    part = {"Range": "bytes=0-9"}
    assert requests.get(url, headers={"If-Match": '"nope"', **part}).status_code == 412
    assert requests.get(url, headers={"If-Match": '"nope"', "Range": "bytes=-0"}).status_code == 412
    assert requests.get(url, headers={"If-Match": f"W/{tag}", **part}).status_code == 412
    assert requests.get(url, headers={"If-Match": tag, **part}).status_code == 206
    assert requests.get(url, headers={"If-Match": "*", **part}).status_code == 206
    assert requests.get(url, headers={"If-Match": "*"}).status_code == 200
