"""The embedded store's layout on disk: immutable snapshots and a `current` pointer (issue 10).

    <store>/current                 the name of the snapshot being served, replaced with os.replace
    <store>/snapshots/<name>/       one complete build: oxigraph/ (pyoxigraph), build.json, sources/
    <store>/snapshots/<name>/BUILDING    present while a build fills it (its work in progress)
    <store>/build.lock              held (flock) by the one build that may run
    <store>/dumps/                  written by the build (or a server, for a store without them), keyed by build id

Why: issue 10 killed builds during pass 2 (3 of 10 left old and new documents mixed, sources/ and
build.json disagreeing with the triples) and watched a server answer /source new and pages old
during a rebuild. A build now fills a NEW snapshot (a RocksDB checkpoint of the current one: hard
links, so cheap on one filesystem), writes its state, fsyncs, and only then replaces `current`
in one `os.replace`. A kill before that leaves the old snapshot untouched; after it the new one is
complete. A server compares `current` per request (one stat) and reopens, so a reader sees one
snapshot and its ETags (docs/build.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CURRENT = "current"
SNAPSHOTS = "snapshots"
TRIPLES = "oxigraph"
BUILDING = "BUILDING"
LOCK = "build.lock"
_ROCKSDB_MARK = "CURRENT"  # RocksDB's own pointer file: a pyoxigraph directory has it at its top


class StoreLayoutError(Exception):
    """The directory is not a store this luzhi can use as asked; the message says what to do."""


@dataclass(frozen=True)
class Pointer:
    """What `current` said when it was read: a snapshot and the file's identity (inode, mtime)."""

    snapshot: Path | None  # None: no `current` (a flat pyoxigraph directory, or nothing built yet)
    stamp: tuple[int, int] | None

    @property
    def triples_dir(self) -> Path | None:
        return self.snapshot / TRIPLES if self.snapshot else None


def is_flat(root: Path) -> bool:
    """A pyoxigraph directory with no snapshots: made by hand, or by luzhi before issue 10."""
    return (Path(root) / _ROCKSDB_MARK).exists() and not (Path(root) / CURRENT).exists()


def is_ours(root: Path) -> bool:
    """An empty or missing directory, or one a build has begun: safe for a build to write into."""
    root = Path(root)
    if not root.is_dir() or not any(root.iterdir()):
        return True
    return any((root / name).exists() for name in (CURRENT, SNAPSHOTS, LOCK))


def pointer_stamp(root: str | Path) -> tuple[int, int] | None:
    """One stat of `current`: os.replace gives it a new inode, so a changed stamp means a new snapshot."""
    try:
        info = os.stat(os.path.join(root, CURRENT))  # not pathlib: once per /sparql request (issue 13)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns)


def read_pointer(root: Path) -> Pointer:
    """The snapshot `current` names; a pointer to a missing snapshot is an error that says so."""
    root = Path(root)
    stamp = pointer_stamp(root)
    if stamp is None:
        return Pointer(None, None)
    name = (root / CURRENT).read_text(encoding="utf-8").strip()
    snapshot = root / SNAPSHOTS / name
    if not name or "/" in name or not (snapshot / TRIPLES).is_dir():
        raise StoreLayoutError(f"store {root}: `current` names snapshot {name!r}, which is not there; "
                               f"rebuild with `luzhi build --store {root} --fresh FILES…`")
    return Pointer(snapshot, stamp)


def state_dir_of(root: Path) -> Path:
    """Where build.json and sources/ of what is served now live: the current snapshot, or `root` if flat."""
    return read_pointer(root).snapshot or Path(root)


class BuildLock:
    """The one build that may write a store directory: an flock on `<store>/build.lock`, freed by the
    kernel when its process dies (a kill -9 leaves no stale lock to clear by hand)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / LOCK
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self._fd)
            raise StoreLayoutError(f"存储 {root} 正由另一次构建使用（进程 {holder}），请等它结束 / store {root} is "
                                   f"locked by another build (pid {holder}); wait for it to finish") from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, str(os.getpid()).encode(), 0)

    def release(self) -> None:
        os.close(self._fd)  # closing drops the flock


def new_snapshot_name() -> str:
    """Chronological names (sortable), unique even for two builds in one second."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def work_in_progress(root: Path) -> list[Path]:
    """Snapshots a build began and never switched to (killed, or refused)."""
    folder = Path(root) / SNAPSHOTS
    return sorted(p for p in folder.iterdir() if (p / BUILDING).exists()) if folder.is_dir() else []


def read_marker(snapshot: Path) -> dict:
    try:
        return json.loads((snapshot / BUILDING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a marker cut by a kill: that work cannot be trusted, it is not resumed


def write_marker(snapshot: Path, marker: dict) -> None:
    write_atomically(snapshot / BUILDING, json.dumps(marker).encode())


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file, fsync, rename, fsync the folder: a reader (or a kill) sees the old file or the new, whole."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Every file and folder under `folder` on disk before the pointer names it (a power cut after
    the switch must not find a snapshot whose files were still in the page cache)."""
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def switch_to(root: Path, snapshot: Path) -> None:
    """Make `snapshot` the served one: its BUILDING marker goes, then `current` is replaced in one step."""
    (snapshot / BUILDING).unlink(missing_ok=True)
    fsync_dir(snapshot)
    write_atomically(Path(root) / CURRENT, (snapshot.name + "\n").encode())


def remove_old_snapshots(root: Path, keep: set[str]) -> list[str]:
    """Delete every snapshot but `keep` (the current one and its parent, which a running server may still
    be reading until its next request: docs/build.md). Returns the names removed."""
    folder = Path(root) / SNAPSHOTS
    removed = []
    for snapshot in sorted(folder.iterdir()) if folder.is_dir() else []:
        if snapshot.name not in keep:
            shutil.rmtree(snapshot, ignore_errors=True)
            removed.append(snapshot.name)
    return removed
