"""The `township-claimed` refusal names the store's file under its township's code, as `/source/{code}/{file}`
serves it (two townships often publish one name, 附件1.docx), and its English agrees with the lists it names
("basic and cooperative lists are held", not "… list and … list is held"; helper claims23)."""

from __future__ import annotations

from pathlib import Path

import pytest

from luzhi.etl.claims import check_claims
from luzhi.etl.report import DocumentReport
from luzhi.etl.stage import Staged
from luzhi.ontology.types import ListKind

CODE, OTHER = "654221100", "210381121"


def _staged(path: str, code: str, lists: frozenset[ListKind]) -> Staged:
    report = DocumentReport(Path(path).name, "0" * 64, "title", code, {}, (), 0, (), (), ())
    return Staged(Path(path), path, Path("unused"), report, None, 0, lists=lists, partial=lists != set(ListKind))


def _entry(file: str, code: str, lists: list[ListKind]) -> dict:
    return {"file": file, "sha256": "0" * 64, "township_code": code, "source": f"{code}/{file}",
            "lists": [k.value for k in lists]}


def _refusal(doc: Staged, held: list[dict]) -> str:
    claims = check_claims([doc], held, replace=False)
    (reason,) = claims.refused[doc.key].reasons
    assert reason["rule"] == "township-claimed" and not claims.townships
    return reason["message"]


@pytest.mark.parametrize(("lists", "zh", "en"), [
    ([ListKind.BASIC], "基本履职事项清单", "basic list is"),
    ([ListKind.BASIC, ListKind.COOPERATIVE], "基本履职事项清单、配合履职事项清单", "basic and cooperative lists are"),
    (list(ListKind), "基本履职事项清单、配合履职事项清单、上级部门收回事项清单",
     "basic, cooperative and reclaimed lists are"),
], ids=["one", "two", "three"])
def test_the_held_file_is_named_under_its_township_and_the_verb_agrees(lists, zh, en):
    # Another township's 附件1.docx in the store beside this one's: only the code tells them apart.
    held = [_entry("附件1.docx", OTHER, list(ListKind)), _entry("附件1.docx", CODE, lists)]
    message = _refusal(_staged("/in/new.docx", CODE, frozenset(ListKind)), held)
    it_zh, it = ("它们", "them") if len(lists) > 1 else ("它", "it")
    assert message == (f"乡镇 {CODE} 的{zh}已由存储中的 {CODE}/附件1.docx 提供，/in/new.docx 也声明{it_zh}；"
                       f"用 --replace 以新文件取代 / township {CODE}'s {en} held by the store's {CODE}/附件1.docx, "
                       f"and /in/new.docx claims {it} too: use --replace to let the new file replace it")


def test_two_held_files_are_each_named_and_replaced_together():
    held = [_entry("basic.txt", CODE, [ListKind.BASIC]), _entry("coop.txt", CODE, [ListKind.COOPERATIVE])]
    message = _refusal(_staged("/in/both.txt", CODE, frozenset({ListKind.BASIC, ListKind.COOPERATIVE})), held)
    assert f"basic list is held by the store's {CODE}/basic.txt" in message
    assert f"cooperative list is held by the store's {CODE}/coop.txt" in message
    assert f"已由存储中的 {CODE}/basic.txt 提供" in message and f"已由存储中的 {CODE}/coop.txt 提供" in message
    assert message.endswith("let the new file replace them")
