"""One refusal for a document its library cannot open: 「不是可读的 … 文件 / not a readable … file」.

python-docx and openpyxl do not check a package before they walk it, so a malformed one fails with
whatever the walk meets first: a `[Content_Types].xml` of `<Types/>` (no namespace) made python-docx raise
`AttributeError: 'lxml.etree._Element' object has no attribute 'overrides'`, and /validate answered with that
text, English only (cold review 23). The readers open their package inside `opening`, so every failure there is
the same bilingual refusal; the library's own words follow only where they say something to a user (a ZIP that
is no ZIP, an XML line and column), never a Python internal's. Running out of memory, a time limit (`TimeUp`, a
BaseException) and our own `SourceError` pass through unchanged.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree

from luzhi.etl.source import SourceError

# The libraries' own reports of a malformed file, worth showing after ours: they name what is wrong and where.
_TOLD = (zipfile.BadZipFile, etree.XMLSyntaxError)


@contextmanager
def opening(path: str, zh: str, en: str, told: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Turn any failure of the block into 「不是可读的{zh} / not a readable {en}」 naming `path`.

    `zh` and `en` name the kind of file (「Word（.docx）文件」, "Word (.docx) file"); `told` adds the reader's
    library's own error types whose words are shown after the message."""
    try:
        yield
    except (SourceError, MemoryError):
        raise
    except Exception as error:  # whatever the library meets in a malformed package
        # a library that wraps what it met (pdfplumber's PdfminerException(error), once): judge the error it wraps
        cause = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], Exception) else error
        detail = f": {cause}" if isinstance(cause, _TOLD + told) and str(cause) else ""
        raise SourceError(path, f"不是可读的{zh} / not a readable {en}{detail}") from None
