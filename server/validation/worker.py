"""Run one validation in a child process that can be killed, so `Config.validation_timeout` really holds.

pySHACL cannot be interrupted from another thread, so the server never runs it in its own
process: each submission goes to a fresh interpreter (`python -m luzhi.server.validation.worker`), the
same choice as the SPARQL executor (store/executor.py) and for the same reasons: no
fork of a threaded web process holding a RocksDB handle, no re-import of the parent's
`__main__` as multiprocessing's spawn and forkserver do. The price is the interpreter start
and imports, measured in bench/results/validate.md. The child never sees the store.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import dataclass

from luzhi.server.validation.submission import SubmissionError, read_submission
from luzhi.shapes.engines import DEFAULT_ENGINE, validator
from luzhi.shapes.validate import ValidationReport


class ValidationTimeout(Exception):
    """The validation ran past the limit and its process was killed."""


@dataclass(frozen=True)
class Job:
    data: bytes
    fmt: str
    name: str
    base: str
    engine: str = DEFAULT_ENGINE  # a name from luzhi.shapes.engines.ENGINES


def validate_submission(job: Job) -> ValidationReport:
    """Parse and validate in this process (the CLI, and the child below). Raises SubmissionError."""
    submission = read_submission(job.data, job.fmt, name=job.name, base=job.base)
    report = validator(job.engine)(submission.graph, job.base, label=job.name)
    return report.with_notices(submission.notices, job.name)


def validate_isolated(job: Job, timeout: float) -> ValidationReport:
    """`validate_submission` in a child process killed after `timeout` seconds (ValidationTimeout)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "luzhi.server.validation.worker"],
            input=pickle.dumps(job),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has already killed and reaped the child
        raise ValidationTimeout(timeout) from None
    if done.returncode != 0 or not done.stdout:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"validation worker failed ({done.returncode}): {tail[0]}")
    status, payload = pickle.loads(done.stdout)  # our own child's answer, never user data
    if status == "error":
        raise SubmissionError(payload["error"], line=payload["line"], column=payload["column"], name=job.name)
    return payload


def _main() -> None:
    job: Job = pickle.loads(sys.stdin.buffer.read())
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a library that prints must not corrupt the answer
    try:
        answer = ("ok", validate_submission(job))
    except SubmissionError as error:
        answer = ("error", error.as_dict())
    out.write(pickle.dumps(answer))
    out.flush()


if __name__ == "__main__":
    _main()
