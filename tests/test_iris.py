"""IRIs are ASCII, stable and free of row positions (DESIGN.md §2)."""

from __future__ import annotations

from luzhi.ontology.iris import Iris, slugify
from luzhi.ontology.types import LineSpan, ListKind


def test_slugs_are_ascii_pinyin():
    assert slugify("自然资源局") == "zi-ran-zi-yuan-ju"
    assert slugify("应急管理及消防") == "ying-ji-guan-li-ji-xiao-fang"
    assert slugify("市委（区委）组织部 2") == "shi-wei-qu-wei-zu-zhi-bu-2"


def test_duty_iri_pattern_and_trailing_slash_of_base():
    iris = Iris("https://luzhi.example.org/")
    assert str(iris.duty("210381121", ListKind.COOPERATIVE, 7)) == (
        "https://luzhi.example.org/id/duty/210381121/cooperative/7"
    )
    assert str(iris.duty_list("210381121", ListKind.RECLAIMED)).endswith("/id/list/210381121/reclaimed")


def test_line_fragment_follows_rfc5147_boundaries():
    # lines 3..5 are the text between line boundaries 2 and 5
    assert (str(Iris("http://h").source_lines("210381121", "a.txt", LineSpan(3, 5)))
            == "http://h/source/210381121/a.txt#line=2,5")
