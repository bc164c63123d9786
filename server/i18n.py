"""The interface's two languages: which one a request wants (`?lang=en`), and the interface text in each."""

from __future__ import annotations

from flask import request

LANGUAGES = ("zh", "en")
_CHOSEN = "luzhi.lang"  # where `lang` keeps its answer for the rest of the request

# Interface text. Chinese first (the data is Chinese); English for `?lang=en`.
MESSAGES: dict[str, dict[str, str]] = {
    "site": {"zh": "履职：乡镇履行职责事项清单", "en": "luzhi: township duty lists"},
    "search": {"zh": "搜索", "en": "Search"},
    # After a label ("Search: …", "Source document: …"): full-width in Chinese, ": " in English (cold review 23).
    "colon": {"zh": "：", "en": ": "},
    # A duty whose 事项名称 is empty has no title (lzsh:Duty-title refuses it unless the build is --force): its pages
    # name it so rather than with its path or an empty link (cold review 23).
    "untitled_duty": {"zh": "（事项名称为空）", "en": "(no 事项名称)"},
    "search_placeholder": {"zh": "事项、部门或地区，如 森林防火", "en": "duty, department or division, e.g. 森林防火"},
    "not_found": {"zh": "未找到", "en": "Not found"},
    "not_found_text": {
        "zh": "此地址没有对应的资源。可以搜索：",
        "en": "Nothing is published at this address. Try a search:",
    },
    "formats": {"zh": "其他格式", "en": "Other formats"},
    "home": {"zh": "首页", "en": "Home"},
    "endpoint": {"zh": "SPARQL 查询", "en": "SPARQL endpoint"},
    "dumps": {"zh": "数据下载", "en": "Data dumps"},
    "void": {"zh": "数据集描述 (VoID/DCAT)", "en": "Dataset description (VoID/DCAT)"},
    "ontology": {"zh": "词汇表", "en": "Vocabulary"},
    "property": {"zh": "属性", "en": "Property"},
    "value": {"zh": "值", "en": "Value"},
    "incoming": {"zh": "指向此资源的链接", "en": "Links to this resource"},
    "next": {"zh": "下一页", "en": "Next page"},
    "previous": {"zh": "上一页", "en": "Previous page"},
    "page": {"zh": "第 {page} / {last} 页，共 {total} 条", "en": "Page {page} of {last}, {total} in all"},
    # A department's or a category's pages (and their RDF twins) count duties, not every link to it.
    "page_duties": {"zh": "第 {page} / {last} 页，共 {total} 项职责",
                    "en": "Page {page} of {last}, {total} duties in all"},
    "page_uncounted": {"zh": "第 {page} 页", "en": "Page {page}"},
    # A list's pages: which of its duties this page shows ("883 / 66189" when filtered), and its pager.
    "list_range": {"zh": "第 {first}–{last} 项，共 {count} 项", "en": "items {first}–{last} of {count}"},
    "page_items": {"zh": "第 {page} / {last} 页，共 {total} 项", "en": "Page {page} of {last}, {total} items"},
    "results": {"zh": "共 {total} 条结果", "en": "{total} results"},
    "no_results": {"zh": "没有结果。", "en": "No results."},
    # Search result badges, one per kind (issue 11: the Chinese badges came out empty).
    "kind_duty": {"zh": "事项", "en": "duty"},
    "kind_department": {"zh": "部门", "en": "department"},
    "kind_division": {"zh": "区划", "en": "division"},
    "matched_in_responsibility": {"zh": "见于职责", "en": "found in a responsibility"},
    # /validate's report: a result's severity (sh:Violation …), and the form's limits (cold review 23: the Chinese
    # page said "Violation" and 「上限 5000000 字节, 60.0 s.」).
    "severity_Violation": {"zh": "违规", "en": "Violation"},
    "severity_Warning": {"zh": "警告", "en": "Warning"},
    "severity_Info": {"zh": "提示", "en": "Info"},
    "validate_limits": {"zh": "上限 {bytes} 字节，{seconds} 秒。", "en": "At most {bytes} bytes, {seconds} s."},
}


def lang() -> str:
    """The page language: `?lang=en` selects English labels where the data has them; Chinese otherwise.

    Read once per request and kept in the WSGI environ: a duty page asks ~155 times (every label and
    link), and werkzeug's `MultiDict.get` raises and catches a KeyError each time `lang` is absent:
    3.0 → 1.4 µs a call (timeit), ~0.25 ms of a duty page's ~5–7 ms of CPU (issue 13).
    """
    environ = request.environ
    chosen = environ.get(_CHOSEN)
    if chosen is None:
        wanted = request.args.get("lang", "zh")
        chosen = environ[_CHOSEN] = wanted if wanted in LANGUAGES else "zh"
    return chosen


# Each language's messages by key, for a template that writes many of them (base.html): one lookup each.
_BY_LANGUAGE = {language: {key: texts[language] for key, texts in MESSAGES.items()} for language in LANGUAGES}


def messages(language: str) -> dict[str, str]:
    """Every message in `language` (one of `LANGUAGES`, as `lang` answers), by key: what `t` says, unformatted."""
    return _BY_LANGUAGE[language]


def t(key: str, **values: object) -> str:
    text = MESSAGES[key][lang()]
    return text.format(**values) if values else text
