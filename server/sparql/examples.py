"""Worked example queries for the query page, written against docs/data-model.md.

tests/test_sparql_examples.py runs every one on the bundled samples and asserts its exact answer,
derived from the build's report and the ETL's own records (issue 11): an example that drifts from the
graph, or counts a triple twice, fails the build instead of the reader. Every LIMIT has an ORDER BY,
so the answer is one answer.
Queries omit the PREFIX lines: the page prepends `sparql_prologue()`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    key: str
    title_zh: str
    title_en: str
    query: str  # without prologue


EXAMPLES: tuple[Example, ...] = (
    Example(
        "duties-by-category",
        "某乡镇基本履职事项按类别统计",
        "A township's basic duties by category",
        """SELECT ?category (COUNT(?duty) AS ?duties) WHERE {
  ?township a lz:Township ; rdfs:label "耿庄镇"@zh .
  ?duty lz:township ?township ; lz:listType lz:BasicList .
  OPTIONAL { ?duty lz:category/skos:prefLabel ?category }
}
GROUP BY ?category
ORDER BY DESC(?duties)""",
    ),
    Example(
        "cooperating-departments",
        "乡镇配合最多的上级部门",
        "Departments each township cooperates with most",
        """SELECT ?townshipName ?department (COUNT(DISTINCT ?duty) AS ?duties) WHERE {
  ?duty lz:listType lz:CooperativeList ; lz:township ?township ; lz:upperDepartment ?org .
  ?township rdfs:label ?townshipName .
  ?org skos:prefLabel ?department .
}
GROUP BY ?townshipName ?department
ORDER BY ?townshipName DESC(?duties)
LIMIT 50""",
    ),
    Example(
        "reclaimed-by-department",
        "上收清单中点名某部门的乡镇",
        "Townships whose reclaimed list names a given department",
        """SELECT ?townshipName ?department (COUNT(?duty) AS ?duties) WHERE {
  ?duty lz:listType lz:ReclaimedList ; lz:township ?township ; lz:upperDepartment ?org .
  ?org skos:prefLabel ?department .
  FILTER(CONTAINS(?department, "自然资源"))
  ?township rdfs:label ?townshipName .
}
GROUP BY ?townshipName ?department
ORDER BY DESC(?duties)""",
    ),
    Example(
        "list-sizes",
        "各乡镇三张清单的事项数（解析数与声明数）",
        "Size of every list, parsed and declared",
        """SELECT ?townshipName ?listType ?parsed ?declared WHERE {
  ?list a lz:DutyList ; lz:ofTownship/rdfs:label ?townshipName ;
        lz:ofListType ?listType ; lz:itemCount ?parsed .
  OPTIONAL { ?list lz:declaredCount ?declared }
}
ORDER BY ?townshipName ?listType""",
    ),
    Example(
        "townships",
        "乡镇及其上级行政区",
        "Townships and the divisions above them",
        """SELECT ?code ?township ?county ?prefecture WHERE {
  ?t a lz:Township ; skos:notation ?code ; rdfs:label ?township ; lz:parentDivision ?c .
  ?c rdfs:label ?county .
  OPTIONAL { ?c lz:parentDivision/rdfs:label ?prefecture }
}
ORDER BY ?code""",
    ),
    Example(
        "duty-provenance",
        "事项及其原文出处（行号）",
        "Duties with the source lines they came from",
        """SELECT ?duty ?title ?source WHERE {
  ?duty a lz:Duty ; dct:title ?title ; prov:wasDerivedFrom ?source .
  FILTER(CONTAINS(?title, "安全"))
}
ORDER BY ?duty
LIMIT 20""",
    ),
    Example(
        "kinds-shared-by-all",
        "所有乡镇都有的履职事项种类",
        "Duty kinds every township has",
        """SELECT ?kind ?label WHERE {
  { SELECT (COUNT(DISTINCT ?t) AS ?all) WHERE { ?t a lz:Township } }
  { SELECT ?kind (COUNT(DISTINCT ?township) AS ?n) WHERE {
      ?duty lz:dutyKind ?kind ; lz:township ?township .
    } GROUP BY ?kind }
  FILTER(?n = ?all)
  ?kind skos:prefLabel ?label .
}
ORDER BY ?label""",
    ),
    Example(
        "compare-reform",
        "比较：小京庄乡自行履职、西郊乡已上收的事项（改革问题，见 /compare）",
        "Compare: duties 小京庄乡 does itself that 西郊乡 had reclaimed (the reform question, as /compare)",
        """SELECT ?kindLabel ?basicTitle ?reclaimedTitle WHERE {
  ?a a lz:Township ; rdfs:label "小京庄乡"@zh .
  ?b a lz:Township ; rdfs:label "西郊乡"@zh .
  ?doneHere lz:township ?a ; lz:listType lz:BasicList ; lz:dutyKind ?kind ; dct:title ?basicTitle .
  ?reclaimedThere lz:township ?b ; lz:listType lz:ReclaimedList ; lz:dutyKind ?kind ;
                  dct:title ?reclaimedTitle .
  ?kind skos:prefLabel ?kindLabel .
}
ORDER BY ?kindLabel""",
    ),
    Example(
        "kind-wordings",
        "事项种类：各乡镇对“森林草原防火”的表述、所在清单与部门",
        "A duty kind: how each township words 森林草原防火, its list and departments",
        """SELECT ?township ?listType ?title ?score (GROUP_CONCAT(DISTINCT ?department; SEPARATOR="、") AS ?departments)
WHERE {
  ?kind a lz:DutyKind ; skos:prefLabel "森林草原防火"@zh .
  ?duty lz:dutyKind ?kind ; lz:township/rdfs:label ?township ; lz:listType ?listType ;
        dct:title ?title ; lz:matchScore ?score .
  OPTIONAL { ?duty lz:upperDepartment/skos:prefLabel ?department }
}
GROUP BY ?township ?listType ?title ?score
ORDER BY ?township""",
    ),
    Example(
        "same-duty-elsewhere",
        "同一事项在其他乡镇：与小京庄乡基本清单第 1 项同种类的事项",
        "The same duty elsewhere: duties of the kind of 小京庄乡's basic item 1",
        """SELECT ?township ?listType ?title WHERE {
  ?duty lz:township/rdfs:label "小京庄乡"@zh ; lz:listType lz:BasicList ; lz:sequence 1 ;
        lz:dutyKind ?kind ; lz:township ?here .
  ?other lz:dutyKind ?kind ; lz:township ?town ; lz:listType ?listType ; dct:title ?title .
  FILTER(?town != ?here)
  ?town rdfs:label ?township .
}
ORDER BY ?township""",
    ),
    Example(
        "township-by-category",
        "耿庄镇三张清单各类别事项数（可画成柱状图）",
        "耿庄镇: duties per category over its three lists (draws as a bar chart)",
        """SELECT ?category (COUNT(DISTINCT ?duty) AS ?duties) WHERE {
  ?duty a lz:Duty ; lz:township/rdfs:label "耿庄镇"@zh ; lz:category/skos:prefLabel ?category .
}
GROUP BY ?category
ORDER BY DESC(?duties) ?category""",
    ),
    Example(
        "describe-duty",
        "一个配合事项的完整描述（CONSTRUCT）",
        "Everything about one cooperative duty (CONSTRUCT)",
        """CONSTRUCT {
  ?duty ?p ?o .
  ?part lz:department ?org ; lz:position ?position ; lz:responsibility ?text .
} WHERE {
  { SELECT ?duty WHERE { ?duty lz:listType lz:CooperativeList ; lz:participation [] } ORDER BY ?duty LIMIT 1 }
  ?duty ?p ?o .
  OPTIONAL { ?duty lz:participation ?part . ?part lz:department ?org .
             OPTIONAL { ?part lz:position ?position }
             OPTIONAL { ?part lz:responsibility ?text } }
}""",
    ),
)
