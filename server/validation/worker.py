"""Run one validation in a child process that can be killed, so `Config.validation_timeout` really holds.

pySHACL cannot be interrupted from another thread, so the server never runs it in its own
process: each submission goes to a fresh interpreter (`python -m luzhi.server.validation.worker`), the
same choice as the SPARQL executor (store/executor.py) and for the same reasons: no
fork of a threaded web process holding a RocksDB handle, no re-import of the parent's
`__main__` as multiprocessing's spawn and forkserver do. The price is the interpreter start
and imports, measured in bench/results/validate.md. The child never sees the store.

The child is confined before it reads a byte (issue 10, store/sandbox.py): its address space
is capped, so a memory bomb (a 973-byte billion-laughs RDF/XML reached 6 GB) kills that child
alone and the client gets 503 saying so; and it has no network.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass

from luzhi.ontology.iris import Iris
from luzhi.server.validation.submission import FORMATS, SubmissionError, read_submission
from luzhi.shapes.engines import DEFAULT_ENGINE, validator
from luzhi.shapes.validate import ValidationReport
from luzhi.store.children import death_line, how_it_ended, last_words, short_id, stderr_file, worker_environment
from luzhi.store.sandbox import confine

_log = logging.getLogger(__name__)


class ValidationTimeout(Exception):
    """The validation ran past the limit and its process was killed."""


class ValidationFailed(Exception):
    """The child ran out of its memory cap, or died: `message` says which, in words for the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Job:
    data: bytes
    fmt: str
    name: str
    base: str
    engine: str = DEFAULT_ENGINE  # a name from luzhi.shapes.engines.ENGINES
    memory_mb: int = 0  # the child's RLIMIT_AS in MiB; 0: none (the CLI validates the user's own files)
    sandbox: str = "auto"  # store/sandbox.py MODES: how the child loses its network
    layout: str | None = None  # a layout profile's path, for list documents (etl.layout)
    township_code: str | None = None  # a list document's 9-digit township code, when its title cannot tell
    code_hint: tuple[str, str] | None = None  # how this surface takes that code (zh, en); None: --township-code
    code_field: tuple[str, str] | None = None  # that code's field (zh, en), as notices name it; None: the CLI's
    charset: str | None = None  # its Content-Type's charset parameter, when it came with one
    # What a list document's report names as its source instead of the `{base}/source/…` IRI the ETL mints: POST
    # /validate stores no upload, so that IRI is a 404 (`urn:luzhi:submission:<sha256>`); None: the ETL's IRI.
    source_iri: str | None = None


def validate_submission(job: Job) -> ValidationReport:
    """Parse and validate in this process (the CLI, and the child below). Raises SubmissionError."""
    submission = read_submission(job.data, job.fmt, name=job.name, base=job.base, layout=job.layout,
                                 township_code=job.township_code, code_hint=job.code_hint, code_field=job.code_field,
                                 charset=job.charset)
    report = validator(job.engine)(submission.graph, job.base, label=job.name)
    if job.source_iri and FORMATS.get(job.fmt, "") is None:  # a list document, read by the ETL
        report = report.with_source(f"{Iris(job.base).base}/source/", job.source_iri)
    return report.with_notices(submission.notices, job.name)


def validate_isolated(job: Job, timeout: float) -> ValidationReport:
    """`validate_submission` in a child process killed after `timeout` seconds (ValidationTimeout).

    The child's stderr goes to an unnamed file (store/children.py), as the query workers' does: read whole from a
    pipe (`capture_output`), a submission that made a library print megabytes grew the web process by as much;
    only its last words are read, when the child died, for the one line that says so in the log."""
    with stderr_file("validation-worker") as stderr:
        with subprocess.Popen([sys.executable, "-m", "luzhi.server.validation.worker"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=stderr, env=worker_environment()) as child:
            try:
                answer, _ = child.communicate(pickle.dumps(job), timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                raise ValidationTimeout(timeout) from None
        if child.returncode != 0 or not answer:
            cap = f"{job.memory_mb} MB (validation_memory_mb)" if job.memory_mb else None
            _log.warning("%s", death_line("validation worker", child.pid, child.returncode,
                                          f"validating submission {short_id(job.data)}", cap or "none",
                                          last_words(stderr)))
            how, cap = how_it_ended(child.returncode), cap or "the memory available"
            raise ValidationFailed(f"验证进程异常终止（{how}，可能超出内存上限 {cap}） / the validation process died "
                                   f"({how}): the submission probably needed more than {cap}")
    status, payload = pickle.loads(answer)  # our own child's answer, never user data
    if status == "error":
        raise SubmissionError(payload["error"], line=payload["line"], column=payload["column"], name=job.name)
    if status == "memory":
        raise ValidationFailed(f"验证超出内存上限 {job.memory_mb} MB / the submission needed more memory than "
                               f"{job.memory_mb} MB (validation_memory_mb)")
    return payload


def _main() -> None:
    job: Job = pickle.loads(sys.stdin.buffer.read())
    confine(job.memory_mb or None, job.sandbox)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # A library that prints must not corrupt the answer, nor grow it: Python's prints and C's writes to fd 1 alike
    # go to stderr, a file the server reads only the tail of (store/children.py).
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    try:
        answer = ("ok", validate_submission(job))
    except SubmissionError as error:
        answer = ("error", error.as_dict())
    except MemoryError:
        answer = ("memory", None)
    out.write(pickle.dumps(answer))
    out.flush()


if __name__ == "__main__":
    _main()
