"""Hidden text is not data: Word's `w:vanish`, a web page's `display:none` / `hidden` / `visibility:hidden`
(cold review 21: a hidden row was loaded as a duty, a hidden span merged into a title). Rows all of hidden text
are left out and said (`hidden-rows-skipped`, as Excel's hidden rows); hidden runs inside a cell are dropped."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from luzhi.etl.readers import read_document


def _docx(rows: list[list[str]], hide: dict[int, str], title_runs: list[tuple[str, bool]] = ()) -> bytes:
    """A list title (runs, each hidden or not) and a table of `rows`; row index → how its text is hidden:
    "run" (each run's own w:vanish), "style" (a paragraph style with w:vanish), "shown" (w:vanish w:val=0)."""
    document = Document()
    document.styles.element.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Secret"><w:name w:val="Secret"/>'
        '<w:rPr><w:vanish/></w:rPr></w:style>'))
    document.styles.element.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Child"><w:name w:val="Child"/>'
        '<w:basedOn w:val="Secret"/></w:style>'))
    paragraph = document.add_paragraph("峪口镇基本履职事项清单")
    for text, hidden in title_runs:
        paragraph.add_run(text).font.hidden = hidden
    table = document.add_table(rows=0, cols=len(rows[0]))
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            how = hide.get(index)
            if how == "run":
                run.font.hidden = True
            elif how == "shown":
                run._r.get_or_add_rPr().append(parse_xml(f'<w:vanish {nsdecls("w")} w:val="0"/>'))
            elif how in ("Secret", "Child"):
                paragraph._p.get_or_add_pPr().insert(0, parse_xml(f'<w:pStyle {nsdecls("w")} w:val="{how}"/>'))
    out = BytesIO()
    document.save(out)
    return out.getvalue()


_ROWS = [["序号", "事项名称"], ["1", "加强党的政治建设"], ["2", "隐藏的事项"], ["2", "抓好基层党组织建设"],
         ["3", "按样式隐藏"], ["3", "做好党员发展"], ["4", "继承样式隐藏"], ["4", "未隐藏（vanish 为 0）"]]


def test_word_rows_of_hidden_text_are_skipped_and_said():
    data = _docx(_ROWS, {2: "run", 4: "Secret", 6: "Child", 7: "shown"},
                 title_runs=[("（", False), ("草稿", True), ("）", False)])
    read = read_document(data, "hidden.docx")
    texts = [line.text for line in read.lines]
    assert texts == ["峪口镇基本履职事项清单（）", "序号\t事项名称", "1\t加强党的政治建设", "2\t抓好基层党组织建设",
                     "3\t做好党员发展", "4\t未隐藏（vanish 为 0）"]
    assert [location.fragment() for location in read.locations][2:] == [
        "table=1&row=2", "table=1&row=4", "table=1&row=6", "table=1&row=8"]  # rows keep Word's numbers
    (notice,) = read.notices
    assert notice.code == "hidden-rows-skipped"
    assert notice.message.startswith("表 1 的第 3、5、7 行是隐藏的（共 3 行），未读入"), notice.message
    assert "请在 Word 中取消隐藏" in notice.message
    assert notice.message_en.startswith("rows 3, 5, 7 of table 1 are hidden and not read (3 in all)")


def test_a_word_row_with_some_hidden_text_keeps_what_shows():
    data = _docx([["序号", "事项名称"], ["1", "加强党的建设"], ["", "隐藏的续行"]], {2: "run"})
    read = read_document(data, "partial.docx")
    assert [line.text for line in read.lines][-1] == "1\t加强党的建设"
    assert len(read.notices) == 1


_PAGE = """<html><body><h2>峪口镇基本履职事项清单</h2>
<table><thead><tr><th>序号</th><th>事项名称</th></tr></thead>
<tbody><tr><td>1</td><td>加强党的<span style="display: none !important">隐藏文字</span>政治建设</td></tr>
<tr style="DISPLAY:none"><td>2</td><td>隐藏的事项</td></tr>
<tr hidden><td>2</td><td>另一隐藏事项</td></tr>
<tr style="visibility:hidden"><td>2</td><td>不可见事项</td></tr>
<tr style="visibility:hidden"><td>2</td><td style="visibility:visible">又可见的事项</td></tr>
<tr><td>3</td><td>做好<b hidden>隐藏</b>统计工作</td></tr></tbody>
<tbody style="display:none"><tr><td>9</td><td>隐藏的一组</td></tr></tbody></table>
<h2 style="x:y">配合履职事项<span style="visibility:hidden">（旧）</span>清单</h2>
<div style="display:none"><table><tr><td>1</td><td>整表隐藏</td></tr></table></div>
</body></html>"""


def test_html_hidden_rows_and_text_are_not_read():
    read = read_document(_PAGE.encode(), "page.html")
    texts = [line.text for line in read.lines]
    assert texts == ["峪口镇基本履职事项清单", "序号\t事项名称", "1\t加强党的政治建设", "\t又可见的事项",
                     "3\t做好统计工作", "配合履职事项清单"]
    assert [notice.message_en.split(" are hidden")[0] for notice in read.notices] == [
        "rows 3–5, 8 of table 1", "row 1 of table 2 is hidden and not read (1 in all); if they hold duties to load, "
        "unhide them in the page's HTML and try again"]
    assert read.notices[0].message.startswith("表 1 的第 3–5、8 行是隐藏的（共 4 行）")
    assert {notice.code for notice in read.notices} == {"hidden-rows-skipped"}


_STYLED = """<html><head><style>
/* a comment */ .gone { display: none } #secret, tr.faded { visibility: hidden }
td.back { visibility: visible } .kept { display: none } tr.kept.shown { display: table-row }
.inline-wins { display: none } .important { display: none !important }
@media print { .screen { display: none } }
tbody .deep { display: none } tr:first-child { display: none } [data-x] { display: none }
</style></head><body><h2>峪口镇基本履职事项清单</h2>
<table><tr><th>序号</th><th>事项名称</th></tr>
<tr><td>1</td><td>加强党的<span class="gone">隐藏文字</span>政治建设</td></tr>
<tr class="gone x"><td>2</td><td>按类隐藏的事项</td></tr>
<tr id="secret"><td>2</td><td>按编号隐藏的事项</td></tr>
<tr class="faded"><td>2</td><td class="back">又可见的事项</td></tr>
<tr class="kept shown"><td>3</td><td>更具体的规则显示</td></tr>
<tr class="inline-wins" style="display: table-row"><td>4</td><td>行内样式显示</td></tr>
<tr class="important" style="display: table-row"><td>5</td><td>重要声明隐藏</td></tr>
<tr class="screen deep" data-x="1"><td>5</td><td>复杂选择器不算</td></tr></table>
</body></html>"""


def test_html_rows_hidden_by_the_pages_style_sheet_are_not_read():
    """`<style>.x{display:none}</style>` … `<tr class="x">`: read as shown before (only an element's own style
    counted). Simple class and id selectors apply, in the cascade's order (!important, inline, specificity, order);
    a complex selector or an `@media print` rule does not hide what the screen shows."""
    read = read_document(_STYLED.encode(), "styled.html")
    texts = [line.text for line in read.lines]
    assert texts == ["峪口镇基本履职事项清单", "序号\t事项名称", "1\t加强党的政治建设", "\t又可见的事项",
                     "3\t更具体的规则显示", "4\t行内样式显示", "5\t复杂选择器不算"]
    (notice,) = read.notices
    assert notice.code == "hidden-rows-skipped" and notice.message.startswith("表 1 的第 3–4、8 行是隐藏的（共 3 行）")


def test_word_body_paragraphs_of_hidden_text_are_said_as_hidden_rows_are():
    """A body paragraph all of hidden text (`w:vanish` on its runs or its style) was dropped without a word; it
    is still not read, and said: one notice for the body, naming its paragraphs, as a table's hidden rows are."""
    document = Document()
    document.styles.element.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Secret"><w:name w:val="Secret"/>'
        '<w:rPr><w:vanish/></w:rPr></w:style>'))
    document.add_paragraph("峪口镇基本履职事项清单")
    document.add_paragraph().add_run("1、隐藏的事项").font.hidden = True
    document.add_paragraph("")  # empty, not hidden text: no notice for it
    styled = document.add_paragraph("2、按样式隐藏的事项")
    styled._p.get_or_add_pPr().insert(0, parse_xml(f'<w:pStyle {nsdecls("w")} w:val="Secret"/>'))
    document.add_paragraph("看得见的一段")
    out = BytesIO()
    document.save(out)
    read = read_document(out.getvalue(), "paragraphs.docx")
    assert [line.text for line in read.lines if line.text] == ["峪口镇基本履职事项清单", "看得见的一段"]
    (notice,) = read.notices
    assert notice.code == "hidden-rows-skipped"
    assert notice.message.startswith("正文的第 2、4 段是隐藏的（共 2 段），未读入"), notice.message
    assert notice.message_en.startswith("paragraphs 2, 4 of the document body are hidden and not read (2 in all)")
