"""A process and its descendants, read from /proc (Linux): resident memory and CPU time of the whole tree.

A process pool's workers (the build's) or query processes (the server's) are children of the process we
start; their cost is part of its cost (issue 13: "peak RSS of the process tree", CPU time per request).
"""

from __future__ import annotations

import os

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[bytes]:
    """/proc/PID/stat after the command name (which may hold spaces): field 3 (state) comes first."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return stat.read().rsplit(b")", 1)[1].split()


def descendants(root: int) -> list[int]:
    """`root` and every live descendant."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
            except OSError:
                continue  # it exited meanwhile
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def tree_rss(root: int) -> int:
    """Resident bytes of the tree now."""
    total = 0
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * _PAGE
        except OSError:
            pass
    return total


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of the tree and the children they reaped."""
    total = 0
    for pid in descendants(root):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        # utime, stime, cutime, cstime are fields 14–17 of stat(5); index 0 here is field 3.
        total += sum(int(f) for f in fields[11:15])
    return total / _TICK


def own_cpu(pids: list[int]) -> dict[tuple[int, int], float]:
    """CPU seconds (user + system) each process used itself, keyed by (pid, start time) against pid reuse."""
    seen = {}
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        # utime, stime: fields 14, 15; starttime: field 22 (stat(5)); index 0 here is field 3.
        seen[(pid, int(fields[19]))] = (int(fields[11]) + int(fields[12])) / _TICK
    return seen


def tree_io(root: int) -> dict[str, int]:
    """Bytes the live processes of the tree have read so far (/proc/PID/io): `rchar`, every byte asked of
    read()/pread() (the page cache's hits too, and the sockets'), and `read_bytes`, what reached storage
    (not the page cache's hits); for a request's reads (bench/deref_bench.py)."""
    total = {"rchar": 0, "read_bytes": 0}
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/io") as io:
                fields = dict(line.split(":") for line in io)
        except OSError:
            continue
        for name in total:
            total[name] += int(fields[name])
    return total
