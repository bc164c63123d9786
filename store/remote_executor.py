"""Run the endpoint's jobs on a remote SPARQL server (`RemoteStore`), with the embedded executor's contract.

`QueryExecutor` (worker processes over pyoxigraph) and `RemoteExecutor` both take a `Job` and give an
`Answer`, or raise `QueryTimeout`; `views/sparql.py` picks one of them once, when the app is created,
so every check the view makes before a query runs (update refusal, SERVICE refusal, request size)
is the same for both backends. No worker processes here: the remote server runs the query, stops
it at the time limit itself (Virtuoso's `timeout` parameter) and the socket timeout backs that up.

Error mapping (the same HTTP statuses as the embedded path, docs/remote-store.md):
the remote's parser refuses → "syntax" (400); more rows than `max_rows`, or the remote's own row
cap → "too_many" (400, nothing cut); past the time limit → QueryTimeout (503); anything else the
remote says, or no answer at all → StoreUnavailable (503 with Retry-After; the remote's address is
logged, never shown: issue 10).

Every query is first checked by a confined, store-less worker (`checker`, the same check as the
embedded path: worker.run_job), so the remote never receives a SERVICE that is not allowed, an
update, or a query our checker cannot read.
"""

from __future__ import annotations

import logging

from luzhi.store.executor import QueryExecutor, QueryTimeout, StoreUnavailable
from luzhi.store.formats import FORMATS
from luzhi.store.query_worker import Answer, Job
from luzhi.store.remote import (
    RemoteQueryError,
    RemoteQueryTimeout,
    RemoteResultTooLarge,
    RemoteResultTruncated,
    RemoteStore,
    RemoteStoreError,
    UnsupportedFormat,
)

_log = logging.getLogger(__name__)

# Job.serializer (pyoxigraph format member names) → the media type RemoteStore serialises.
_MIMES = {f.member: f.mime for f in FORMATS}


class RemoteExecutor:
    """Jobs → `RemoteStore.query_result`; thread-safe as far as the remote is (one HTTP request per job)."""

    def __init__(self, store: RemoteStore, *, timeout: float, checker: QueryExecutor) -> None:
        self.store = store
        self.timeout = timeout
        self.checker = checker
        self.stopped_by_remote = 0  # queries the remote stopped at the time limit

    @property
    def killed(self) -> int:
        """Parity with QueryExecutor: every query stopped at the time limit, by the remote or, on a loaded
        machine, while its check still ran here (the check has the same limit)."""
        return self.stopped_by_remote + self.checker.killed

    def run(self, job: Job) -> Answer:
        checked = self.checker.run(job)
        if checked.status != "checked" or checked.check is None:
            return checked  # refused, not acceptable, syntax …
        serializer = job.serializer(checked.check.result_kind)
        assert serializer is not None  # the checker answers not_acceptable otherwise
        protocol = job.protocol_dataset  # otherwise: the remote's default graph, or the query's own FROM
        try:
            result = self.store.query_result(
                # A BASE first, so relative IRIs resolve against our endpoint (the query's own BASE, later, wins).
                f"BASE <{job.base_iri}>\n{job.query}" if job.base_iri else job.query,
                _MIMES[serializer],
                job.default_graphs if protocol else (),
                job.named_graphs if protocol else (),
                self.timeout,
                max_rows=job.max_rows,
                prefixes=dict(job.prefixes),
            )
        except UnsupportedFormat as error:
            return Answer("wrong_kind", message=str(error))
        except RemoteQueryError as error:
            return Answer("syntax", message=str(error))
        except RemoteQueryTimeout:
            self.stopped_by_remote += 1
            raise QueryTimeout(self.timeout) from None
        except RemoteResultTooLarge:
            return Answer("too_many", rows=job.max_rows)
        except RemoteResultTruncated as error:
            return Answer("too_many", message=str(error))
        except RemoteStoreError as error:
            _log.warning("remote store failed: %s", error)
            raise StoreUnavailable from None
        return Answer("ok", result.body, rows=result.rows, check=checked.check)

    @property
    def confinement(self) -> str:
        return self.checker.confinement

    def close(self) -> None:
        """Stop the checker; the store (and its HTTP session) belongs to the app."""
        self.checker.close()
