"""`choose` remembers its answers for short `Accept` headers (issue 13: parsing one was ~35 µs of every page);
what it answers is what parsing answers, per header and per list of offers."""

from __future__ import annotations

from luzhi.server import conneg

OFFERS = [["text/html", "text/turtle", "application/ld+json"], ["text/turtle"], ["application/json", "text/html"]]
HEADERS = [None, "", "*/*", "text/html", "text/turtle", "application/x-turtle;q=0.9, text/html;q=0.1",
           "text/html;q=0, */*", "application/ld+json;q=abc", "application/xhtml+xml",
           "text/turtle;q=0.5, " + ", ".join(f"type/x{i};q=0.1" for i in range(40))]  # longer than remembered


def test_remembered_answers_are_the_parsed_ones():
    assert len(HEADERS[-1]) > conneg.MAX_REMEMBERED
    for _round in range(2):  # the second round answers from what the first remembered
        for header in HEADERS:
            for offered in OFFERS:
                assert conneg.choose(header, offered) == conneg._choose(header, offered), (header, offered)


def test_a_short_header_is_parsed_once_a_long_one_each_time():
    conneg._chosen.cache_clear()
    conneg.choose("text/turtle, text/html;q=0.5", ["text/html", "text/turtle"])
    conneg.choose("text/turtle, text/html;q=0.5", ["text/html", "text/turtle"])
    conneg.choose(HEADERS[-1], ["text/html", "text/turtle"])
    info = conneg._chosen.cache_info()
    assert (info.hits, info.currsize) == (1, 1)
