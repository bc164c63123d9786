"""A refused document's reasons on the console: the first few in full, then how many more of each rule
(cold review: a document missing a column broke one rule on all of its 144 items, one line of 20,795 characters)."""

from __future__ import annotations

from luzhi.etl.stage import SHOWN_REASONS, Refusal


def _reasons(count: int, rule: str) -> tuple[dict, ...]:
    message = "配合履职事项没有任何对应上级部门 / no department"
    return tuple({"line": 10 + n, "rule": rule, "message": f"duty/{n}: {message}"} for n in range(count))


def test_many_reasons_are_summed_up_by_rule() -> None:
    refusal = Refusal("乡镇清单.txt", _reasons(140, "CooperativeShape") + _reasons(4, "TitleShape"))
    text = refusal.text()
    assert len(text) < 1_500
    assert text.count("[CooperativeShape]") == SHOWN_REASONS
    assert "另有 139 条" in text and "and 139 more (CooperativeShape ×135, TitleShape ×4)" in text
    assert "luzhi validate 乡镇清单.txt" in text


def test_a_few_reasons_are_all_shown() -> None:
    refusal = Refusal("a.txt", _reasons(SHOWN_REASONS, "CooperativeShape"))
    assert refusal.text().count("[CooperativeShape]") == SHOWN_REASONS and "more" not in refusal.text()
