"""gunicorn settings for luzhi: `LUZHI_STORE=/srv/luzhi/store gunicorn -c gunicorn.conf.py`.

Several workers share one on-disk store, each opening it read-only (RocksDB allows any
number of read-only openers). Each worker runs SPARQL queries in its own small pool of
query processes (store/executor.py), so a runaway query is killed without taking a
worker down. Threads (gthread) let one worker serve pages while its threads wait on queries.
"""

import gc
import multiprocessing
import os

from luzhi.server import worker_balance
from luzhi.server.config import checked_limits, count_setting, log_to_stderr
from luzhi.server.http_servers import REQUEST_LINE_LIMIT

wsgi_app = "luzhi.server.wsgi:app_from_environment()"
bind = os.environ.get("LUZHI_BIND", "127.0.0.1:8000")
workers = count_setting(os.environ, "LUZHI_WORKERS", multiprocessing.cpu_count())
# gunicorn's gthread worker, answering an over-long request line with luzhi's own 414 (server/http_servers.py).
worker_class = "luzhi.server.http_servers.ThreadWorker"
threads = count_setting(os.environ, "LUZHI_THREADS", 4)
# Measured against 4x1, 3x2, 4x2 and 3x4 gthread, the sync worker (2-4), keep-alive off and reuse_port, in the same
# runs (issue 13, bench/results/deref.md, 2026-12-01): none gave a duty page a lower p50 at bench/deref_bench.py's
# two keep-alive clients beyond an A/A run's spread (0.73-1.14x; sync 0.95-1.76x: a connection per request costs
# more than two connections sharing one worker's GIL); 3-4 workers cost ~160 MiB each and colder per-worker caches.
# Never kill a worker while it legitimately waits for a query that the endpoint itself stops.
timeout = int(checked_limits(os.environ).get("query_timeout", 30)) + 30
graceful_timeout = 30
preload_app = False  # open the store and start query processes after the fork, in each worker
accesslog = "-"
# gunicorn 27 opens a control socket by default ($HOME/.gunicorn/gunicorn.ctl: add or remove workers, shut
# down), one path for every gunicorn its user runs, so two deployments would share it (cold review). Off.
control_socket_disable = True
# A GET's request line (the query in its URL) may be 8,190 bytes, gunicorn's largest bound short of none (0 reads
# a line of any length into memory); its default, 4,094, refused a 5 KB SPARQL GET (SPARQLWrapper's default method)
# with gunicorn's own English 400 page (cold review). `luzhi serve` takes the same; past it, luzhi's 414 advises
# POST, which luzhi bounds by max_request_bytes (docs/sparql.md).
limit_request_line = REQUEST_LINE_LIMIT
# luzhi's own INFO lines (the query sandbox's settings at startup, what its workers report) on stderr:
# the operator's view of them, as /health no longer publishes them (docs/security.md).
log_to_stderr()


def post_worker_init(worker) -> None:
    """Leave what a worker has loaded (modules, the app, the store's handles: ~230 k objects) out of Python's
    full garbage collections: each walked them all, a ~200 ms pause every few hundred duty pages at 10,000
    townships (issue 13, bench/results/deref.md). Objects made later (the per-snapshot caches) are collected
    as before; a cycle among the frozen ones would never be, and they live as long as the worker anyway."""
    gc.freeze()


# A new connection left to the worker holding the fewest (server/worker_balance.py): each worker's slot in the array
# where the workers publish how many connections they hold, given before the fork and freed when it exits.
def pre_fork(_server, worker) -> None:
    worker_balance.assign_slot(worker)


def child_exit(_server, worker) -> None:
    worker_balance.release_slot(worker)
