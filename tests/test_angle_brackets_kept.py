"""Text between "<" and ">" that is not an HTML tag is kept (cold review: `<[^>]*>` deleted
"5亩且建筑" from "占地面积<5亩且建筑>200平方米", turning the rule around)."""

from rdflib.namespace import RDF

from luzhi.etl.build import BuildOptions, bundled_documents, process_document
from luzhi.etl.department_names import plain_text
from luzhi.ontology.namespaces import LZ

RULE = "对占地面积<5亩且建筑>200平方米的食品作坊开展检查"


def test_plain_text_strips_tags_only():
    assert plain_text(RULE) == RULE
    assert plain_text("<p>县市场监督管理局：<b>1.</b> 检查</p><br/>乡镇") == "县市场监督管理局：1. 检查\n乡镇"
    assert plain_text("a &lt;5 且 &gt;2") == "a <5 且 >2"


def test_a_departments_part_keeps_its_comparisons(tmp_path):
    """Sample 003, cooperative duty 2 (line 166): the county market regulator's part holds a size rule."""
    source = next(p for p in bundled_documents() if p.name.startswith("003_"))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "县市场监督管理局： 1. 负责" in lines[165]
    lines[165] = lines[165].replace("县市场监督管理局： 1. 负责", f"县市场监督管理局： 1. {RULE}；负责", 1)
    edited = tmp_path / source.name
    edited.write_text("".join(lines), encoding="utf-8")
    graph = process_document(edited, BuildOptions(base="http://127.0.0.1:5000"))[2]
    parts = [str(text) for part in graph.subjects(RDF.type, LZ.DepartmentParticipation)
             for text in graph.objects(part, LZ.responsibility)]
    assert any(RULE in text for text in parts), parts[:3]
