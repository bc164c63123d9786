"""A web page's `<style>` rules that hide text: `display` and `visibility` set through simple selectors.

A browser applies the page's style sheets, and the reader read only an element's own `style` and `hidden`: a page
hiding rows by a class (`<style>.x{display:none}</style>` … `<tr class="x">`) was read with them, their duties loaded.
The rules are parsed with tinycss2 (a CSS Syntax Level 3 tokenizer; nothing hand-rolled but the selectors), and
only *simple* selectors are applied: a type, classes and ids in one compound (`.x`, `#y`, `tr.x`, `td#y.x`, `*.x`),
alone or in a selector list (`.x, .y`). A complex selector (descendants, `>`, attributes, pseudo-classes) is not
applied, nor is a rule inside an at-rule (`@media print` hides what the screen shows): such a page is read as it was.
The cascade as CSS 2.2 §6.4 orders it, for these declarations: `!important` first, then the inline `style`
attribute, then specificity (ids, classes, type), then the later rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import tinycss2
from lxml import etree

_PROPERTIES = ("display", "visibility")
_INLINE = (1, 0, 0, 0)  # an inline style's specificity: above every selector's (CSS 2.2 §6.4.3)


@dataclass(frozen=True)
class _Selector:
    """A compound selector of a type (None: any), ids and classes; `specificity` (ids, classes, types)."""

    tag: str | None
    ids: frozenset[str]
    classes: frozenset[str]

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        return (0, len(self.ids), len(self.classes), int(self.tag is not None))

    def matches(self, element: etree._Element) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.ids and {element.get("id", "")} != self.ids:
            return False
        return self.classes <= set((element.get("class") or "").split())


@dataclass(frozen=True)
class _Rule:
    selector: _Selector
    order: int
    declarations: tuple[tuple[str, str, bool], ...]  # (property, value, !important)


class StyleSheet:
    """The hiding declarations of a page's `<style>` elements, looked up per element."""

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules

    def __bool__(self) -> bool:
        return bool(self.rules)

    def style(self, element: etree._Element) -> dict[str, str]:
        """`display` and `visibility` as the cascade leaves them for `element`, its own `style` attribute included
        (only the properties set somewhere)."""
        ranked: dict[str, tuple[tuple, str]] = {}
        candidates = [(rule.declarations, rule.selector.specificity, rule.order)
                      for rule in self.rules if rule.selector.matches(element)]
        inline = element.get("style")
        if inline:
            candidates.append((_declarations(tinycss2.parse_blocks_contents(inline)), _INLINE, 0))
        for declarations, specificity, order in candidates:
            for name, value, important in declarations:
                rank = (important, specificity, order)
                if name not in ranked or rank >= ranked[name][0]:
                    ranked[name] = (rank, value)
        return {name: value for name, (_rank, value) in ranked.items()}


def inline_style(element: etree._Element) -> dict[str, str]:
    """`display` and `visibility` from an element's own `style` attribute (the last declaration wins, an
    `!important` one over the others)."""
    return StyleSheet([]).style(element)


def style_sheet(document: etree._Element) -> StyleSheet:
    """The rules of every `<style>` element of the page, in document order."""
    rules: list[_Rule] = []
    for style in document.iter("style"):
        for node in tinycss2.parse_stylesheet(style.text or "", skip_comments=True, skip_whitespace=True):
            if node.type != "qualified-rule":
                continue  # an at-rule (`@media print { … }`), or a parse error
            declarations = _declarations(tinycss2.parse_blocks_contents(node.content))
            if not declarations:
                continue
            for selector in _selectors(node.prelude):
                rules.append(_Rule(selector, len(rules), declarations))
    return StyleSheet(rules)


def _declarations(nodes: list) -> tuple[tuple[str, str, bool], ...]:
    return tuple((node.lower_name, tinycss2.serialize(node.value).strip().lower(), node.important)
                 for node in nodes if node.type == "declaration" and node.lower_name in _PROPERTIES)


def _selectors(prelude: list) -> list[_Selector]:
    """The simple selectors of a rule's selector list; a complex one among them is left out."""
    selectors: list[_Selector] = []
    groups: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    for group in groups:
        selector = _compound(group)
        if selector is not None:
            selectors.append(selector)
    return selectors


def _compound(tokens: list) -> _Selector | None:
    """`tr.x`, `#y`, `*.x.z` → a selector; anything else (a combinator, an attribute, a pseudo-class) → None."""
    while tokens and tokens[0].type == "whitespace":
        tokens = tokens[1:]
    while tokens and tokens[-1].type == "whitespace":
        tokens = tokens[:-1]
    tag: str | None = None
    ids: set[str] = set()
    classes: set[str] = set()
    index = 0
    if tokens and tokens[0].type == "ident":
        tag, index = tokens[0].lower_value, 1
    elif tokens and tokens[0].type == "literal" and tokens[0].value == "*":
        index = 1
    while index < len(tokens):
        token = tokens[index]
        if token.type == "hash" and token.is_identifier:
            ids.add(token.value)
            index += 1
        elif (token.type == "literal" and token.value == "." and index + 1 < len(tokens)
              and tokens[index + 1].type == "ident"):
            classes.add(tokens[index + 1].value)
            index += 2
        else:
            return None
    if tag is None and not ids and not classes:
        return None
    return _Selector(tag, frozenset(ids), frozenset(classes))
