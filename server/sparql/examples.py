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
        "describe-duty",
        "一个配合事项的完整描述（CONSTRUCT）",
        "Everything about one cooperative duty (CONSTRUCT)",
        """CONSTRUCT {
  ?duty ?p ?o .
  ?part lz:department ?org ; lz:responsibility ?text .
} WHERE {
  { SELECT ?duty WHERE { ?duty lz:listType lz:CooperativeList ; lz:participation [] } ORDER BY ?duty LIMIT 1 }
  ?duty ?p ?o .
  OPTIONAL { ?duty lz:participation ?part . ?part lz:department ?org .
             OPTIONAL { ?part lz:responsibility ?text } }
}""",
    ),
)
