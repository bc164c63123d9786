"""Connections spread over gunicorn's workers by how many each holds (issue 13: a duty page's p50 at two clients).

gthread keeps a keep-alive connection in the worker that accepted it, and which worker accepts a new one is a race
that every idle worker may win. Two clients' connections landed in one worker in 2–6 of 10 turns of
bench/deref_bench.py (bench/results/deref.md), where the GIL serialises their pages while the other worker, and
its core, idle: a duty page's p50 was 5.5–6.0 ms at two clients against 4.1–4.3 ms at one.

Each worker publishes how many connections it holds in an array shared by the workers (one slot a worker, given
by the arbiter before it forks, `assign_slot`). A worker holding more than the least loaded worker waits
while the connection is still there to take, at most `ACCEPT_DEFER` seconds, and then accepts: it finds none
(EAGAIN, which gunicorn ignores), or takes it after all from a worker too busy to. Workers holding as
many never wait, so under even load nothing is added. nginx's `accept_mutex` and
`ngx_accept_disabled` do the same from each worker's own count.
"""

from __future__ import annotations

import multiprocessing
import select
import time

# Long enough for an idle worker's event loop to wake and accept (it polls the listening socket), short against a
# page (~2-5 ms): a busy worker that accepts after all has delayed that one connection by this much.
ACCEPT_DEFER = 0.005
POLL = 0.0002
MAX_WORKERS = 256  # slots; a worker past them neither publishes nor waits
FREE = -1

# The shared array, made in the arbiter by the first `assign_slot` and inherited by each worker: a live worker's
# slot holds its count, a free slot FREE (a worker writes it no more once the arbiter has reaped it).
_counts = None


def assign_slot(worker) -> None:
    """gunicorn's `pre_fork` hook (arbiter): give `worker` a free slot, its count 0, before the fork."""
    global _counts
    if _counts is None:
        _counts = multiprocessing.Array("i", [FREE] * MAX_WORKERS, lock=False)
    worker.balance_slot = next((slot for slot in range(MAX_WORKERS) if _counts[slot] == FREE), None)
    if worker.balance_slot is not None:
        _counts[worker.balance_slot] = 0


def release_slot(worker) -> None:
    """gunicorn's `child_exit` hook (arbiter): a worker that has exited (or was killed) holds nothing."""
    slot = getattr(worker, "balance_slot", None)
    if slot is not None and _counts is not None:
        _counts[slot] = FREE


def publish(worker, connections: int) -> None:
    """Record the connections `worker` holds (its gthread `nr_conns`)."""
    slot = getattr(worker, "balance_slot", None)
    if slot is not None and _counts is not None:
        _counts[slot] = connections


def defer(worker, connections: int, listener) -> None:
    """Wait while a worker holding fewer connections than `worker` (which holds `connections`) may take the one
    waiting on `listener`, at most `ACCEPT_DEFER` seconds."""
    deadline = time.monotonic() + ACCEPT_DEFER
    while (_fewer_elsewhere(worker, connections) and select.select([listener], [], [], 0)[0]
           and time.monotonic() < deadline):
        time.sleep(POLL)


def _fewer_elsewhere(worker, connections: int) -> bool:
    if getattr(worker, "balance_slot", None) is None or _counts is None or connections == 0:
        return False
    return any(FREE < held < connections for held in _counts)
