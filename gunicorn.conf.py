"""gunicorn settings for luzhi: `LUZHI_STORE=/srv/luzhi/store gunicorn -c gunicorn.conf.py`.

Several workers share one on-disk store, each opening it read-only (RocksDB allows any
number of read-only openers). Each worker runs SPARQL queries in its own small pool of
query processes (store/executor.py), so a runaway query is killed without taking a
worker down. Threads (gthread) let one worker serve pages while its threads wait on queries.
"""

import multiprocessing
import os

from luzhi.server.config import log_to_stderr

wsgi_app = "luzhi.server.wsgi:app_from_environment()"
bind = os.environ.get("LUZHI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LUZHI_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("LUZHI_THREADS", 4))
# Never kill a worker while it legitimately waits for a query that the endpoint itself stops.
timeout = int(float(os.environ.get("LUZHI_QUERY_TIMEOUT", 30))) + 30
graceful_timeout = 30
preload_app = False  # open the store and start query processes after the fork, in each worker
accesslog = "-"
# luzhi's own INFO lines (the query sandbox's settings at startup, what its workers report) on stderr:
# the operator's view of them, as /health no longer publishes them (docs/security.md).
log_to_stderr()
