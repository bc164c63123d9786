"""`luzhi validate` of a township published in several files (one a list): validated together, as the build loads it.

`luzhi validate basic.docx coop.docx recl.docx` validated each file alone, so each was "cut short"
(lzsh:DutyList-itemCount on the lists it lacks) though the three together are a whole township, which the build
loads without a word (cold review 21, etl/townships.py). The files are grouped as the build groups them
(`several_files`: their townships and lists, then the claims) and each group's graph is made as the build makes
it (`township_of`), then validated once: one report for the group, its notices naming their file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from luzhi.etl.layout import LayoutError, load_layout
from luzhi.etl.stage import BuildOptions, Refusal, read_document
from luzhi.etl.townships import Member, several_files, township_of
from luzhi.server.validation.submission import SubmissionError, issue_notice
from luzhi.shapes.engines import validator
from luzhi.shapes.validate import Notice, ValidationReport


@dataclass(frozen=True)
class Grouping:
    groups: tuple[tuple[Member, ...], ...]  # each township of several files, its files in build order
    refused: dict[Path, Refusal]  # files the claims would refuse (validated alone, with the reason as a notice)

    def group_of(self, path: Path) -> tuple[Member, ...] | None:
        return next((group for group in self.groups if any(m.path == path for m in group)), None)


def group_files(paths: list[Path], base: str, layout: str | None, codes: dict[str, str]) -> Grouping:
    """The list documents among `luzhi validate`'s files that make one township together; none for fewer than two."""
    if len(paths) < 2:
        return Grouping((), {})
    try:
        options = BuildOptions(base=base, layout=load_layout(layout) if layout else None, township_codes=codes)
    except LayoutError:
        return Grouping((), {})  # each file alone says what is wrong with the profile
    groups, refused = several_files(paths, options)
    return Grouping(tuple(groups), refused)


def label_of(group: tuple[Member, ...]) -> str:
    return " + ".join(str(member.path) for member in group)


def validate_group(group: tuple[Member, ...], base: str, layout: str | None, codes: dict[str, str],
                   engine: str) -> ValidationReport:
    """The township's files as one graph, validated; each file's issues as notices naming it. SubmissionError
    when a file cannot be read after all (changed since it was grouped)."""
    label = label_of(group)
    options = BuildOptions(base=base, layout=load_layout(layout) if layout else None, township_codes=codes)
    try:
        graph, _chain, files = township_of([(m, *read_document(m.path, m.code, options)) for m in group], options)
    except MemoryError:  # the worker's memory cap, said as such (server/validation/worker.py)
        raise
    except Exception as error:  # noqa: BLE001 (this group's failure, said with its type, as one file's is)
        raise SubmissionError(f"{type(error).__name__}: {error}", name=label) from None
    report = validator(engine)(graph.graph(), base, label=label)
    notices = tuple(_in_file(issue_notice(issue), file.path.name) for file in files for issue in file.report.issues)
    return report.with_notices(notices, label)


def claim_notice(refusal: Refusal) -> tuple[Notice, ...]:
    """Why a file was validated alone though another file of its township was given too (the build refuses it)."""
    return tuple(Notice(reason["rule"], *_halves(reason["message"])) for reason in refusal.reasons)


def _halves(message: str) -> tuple[str, str]:
    zh, _, en = message.partition(" / ")
    return zh, en or zh


def _in_file(notice: Notice, name: str) -> Notice:
    """A notice of one file of several: its lines are that file's."""
    return replace(notice, message_zh=f"{name}：{notice.message_zh}", message_en=f"{name}: {notice.message_en}")
