"""Category names → one concept per category, whatever conjunction a document spelt it with.

Documents write the same category several ways: the sample 001 (鸡冠区) heads its cooperative
section 应急管理与消防 and its reclaimed section 应急管理及消防 (issue 11, finding 3). Like
departments (docs/departments.md), spellings are merged by a normalisation rule, not a list of
known pairs: the key drops whitespace and the conjunctions 和 与 及 、 & (and their full-width
forms), so 应急管理及消防, 应急管理与消防 and 应急管理和消防 are one concept, and 文化和旅游 /
文化旅游 another. The IRI slug comes from the key, so it does not depend on which spelling wins.

A word saying the name is a category, 类, 事项 or 方面 at its end, is no part of what it names either: 党的建设类,
党的建设事项 and 党的建设方面 are 党的建设 (cold review 21, P2: three concepts). A name that is nothing but such a word
(`其他类` is 其他) keeps two characters at least: 分类 and 事项 stay as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from luzhi.ontology.iris import slugify

# NFKC first turns ＆ into &; 、 is the enumeration comma (应急管理、消防).
_NOISE = re.compile(r"[\s和与及、&]+")
_KIND_WORD = re.compile(r"(?<=..)(?:类|事项|方面)$")


def category_key(name: str) -> str:
    """The merge key of a category name: NFKC, without whitespace, conjunctions and a trailing 类 / 事项 / 方面."""
    key = _NOISE.sub("", unicodedata.normalize("NFKC", name)) or name
    return _KIND_WORD.sub("", key)


def category_slug(name: str) -> str:
    """The IRI slug of a category: from its key, so every spelling mints the same IRI."""
    return slugify(category_key(name))


@dataclass(frozen=True)
class Category:
    """One category concept of a document: its preferred spelling and the other spellings it used."""

    slug: str
    pref_label: str
    alt_labels: tuple[str, ...]


def merge_categories(names: Iterable[str]) -> dict[str, Category]:
    """Every spelling (one entry per item) → its concept.

    The preferred label is the spelling most items use, ties broken by code point, as for
    departments; across documents the shared graph keeps the one most documents prefer
    (etl/shared.py), so a concept never has two prefLabels.
    """
    counts = Counter(names)
    groups: dict[str, list[str]] = {}
    for name in counts:
        groups.setdefault(category_key(name), []).append(name)
    merged: dict[str, Category] = {}
    for key, spellings in groups.items():
        ranked = sorted(spellings, key=lambda s: (-counts[s], s))
        concept = Category(slugify(key), ranked[0], tuple(sorted(ranked[1:])))
        merged.update({spelling: concept for spelling in spellings})
    return merged
