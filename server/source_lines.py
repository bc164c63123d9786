"""The lines a duty page quotes from its source text, found by an index of where each line starts (issue 13).

A duty page quotes the two or three lines its `prov:wasDerivedFrom <…/source/F#line=a,b>` names. It read,
decoded and split its township's whole text for them (150-190 KB at 10,000 townships, ~0.8 ms of a page's
CPU), and kept the split text of 64 files: a random duty's township was almost never among them. Now a text
is read once into a `LineIndex` (the byte offset where each line starts, 4 bytes a line, and the text's
encoding), kept while recently used, and a page reads and decodes only its own lines' bytes.

The lines are those the build numbered (etl/source.py): the text decoded as the build decoded it (UTF-8
with or without a BOM, else GB18030; UTF-16), lines ended by `\\n` alone, a `\\r` before it dropped. The page
decoded UTF-8 only and split with `str.splitlines`: a GB18030 source made every duty page of its township
a 500, and a form feed (pdftotext writes one per page) or a U+2028 in a text started a line the build did
not count, so the page quoted other lines than its `#line=` names (both fixed here).
"""

from __future__ import annotations

import codecs
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from luzhi.etl.source import decode_source, source_codec


@dataclass(frozen=True, eq=False)
class LineIndex:
    """One source text's lines: where each starts in the file, and how its bytes decode.

    `codec` None: a UTF-16 text (rare: its lines are not found by the byte `\\n`), decoded whole by the
    build's own reader, its lines kept in `lines`.
    """

    codec: str | None
    starts: np.ndarray  # the byte offset of each line's first byte, in order
    size: int  # the file's length in bytes: its last line ends there
    lines: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.lines) if self.codec is None else len(self.starts)

    def quote(self, file: BinaryIO, first: int, last: int) -> str:
        """Lines `first` to `last` (1-based, inclusive: a `#line=first-1,last` fragment), joined by `\\n`, as
        the slice `lines[first - 1 : last]` of the text's lines gives them (past the end: cut off)."""
        wanted = range(self.count)[first - 1 : last]
        if not wanted:
            return ""
        if self.codec is None:
            return "\n".join(self.lines[wanted.start : wanted.stop])
        start = int(self.starts[wanted.start])
        end = int(self.starts[wanted.stop]) if wanted.stop < len(self.starts) else self.size
        file.seek(start)
        data = file.read(end - start)
        return "\n".join(line.removesuffix(b"\r").decode(self.codec)
                         for line in data.removesuffix(b"\n").split(b"\n"))


def index_lines(data: bytes, path: Path) -> LineIndex:
    """Where the lines of a source text (`data`, read from `path`) start, and the codec the build read it with."""
    codec = source_codec(data)  # the build's choice; in GB18030 too `\n` is the byte 0x0A, in no other character
    if codec not in ("utf-8", "gb18030"):  # UTF-16, its lines not ended by the byte `\n`: read by the build's reader
        return LineIndex(None, np.zeros(0, np.uint32), len(data),
                         tuple(line.text for line in decode_source(data, path)))
    bom = len(codecs.BOM_UTF8) if codec == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
    starts = np.concatenate(([bom], np.flatnonzero(np.frombuffer(data, np.uint8) == 0x0A) + 1))
    if starts[-1] == len(data):  # a final line terminator ends the last line; it starts none (etl/source.py)
        starts = starts[:-1]
    return LineIndex(codec, starts.astype(np.uint32 if len(data) < 2**32 else np.uint64), len(data))


class SourceLines:
    """Quotes from source texts, the `kept` most recently used texts' indexes remembered (server/views/kinds.py
    keeps one per snapshot). A text is known by its file's identity (inode, size, time), not only its path:
    a store whose state directory is not a snapshot (a remote store's, docs/remote-store.md) has its sources
    replaced in place by a build, and an index must never point into another text."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._indexes: OrderedDict[tuple, LineIndex] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._indexes)

    def quote(self, path: Path, first: int, last: int) -> str:
        """Lines `first` to `last` of the text at `path` (see `LineIndex.quote`)."""
        with Path(path).open("rb") as file:
            status = os.fstat(file.fileno())
            key = (str(path), status.st_ino, status.st_size, status.st_mtime_ns)
            with self._lock:
                index = self._indexes.get(key)
                if index is not None:
                    self._indexes.move_to_end(key)
            if index is None:
                index = index_lines(file.read(), Path(path))
                with self._lock:
                    self._indexes[key] = index
                    while len(self._indexes) > self.kept:
                        self._indexes.popitem(last=False)
            return index.quote(file, first, last)
