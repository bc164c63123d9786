"""`open_store`: the one place a backend is chosen, and everything a caller then needs of the store.

A directory → `OxigraphStore` (its state, build.json and sources/, in the same directory); an http(s)
URL → `RemoteStore` (its state in a local directory, docs/remote-store.md). The SPARQL endpoint's
executor follows the same choice (`OpenStore.query_executor`), so no caller ever asks which
backend it holds (issue 9 counted seven places that did).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from luzhi.ontology.iris import Iris
from luzhi.store.base import Store, is_remote
from luzhi.store.executor import RECYCLE_MB, Executor, QueryExecutor
from luzhi.store.oxigraph import OxigraphStore
from luzhi.store.remote import RemoteEndpoints, RemoteStore
from luzhi.store.remote_executor import RemoteExecutor
from luzhi.store.snapshots import StoreLayoutError, is_flat, pointer_stamp, read_pointer
from luzhi.store.state import read_build_info
from luzhi.store.timed import TimedStore


@dataclass(frozen=True)
class StoreTarget:
    """Where a build writes: the triples (`spec`, a directory or a remote URL) and the state
    (build.json, sources/): the store directory itself when embedded, `state_dir` when remote.
    `user`/`password` are the remote's write credentials (ignored for a directory)."""

    spec: str | Path
    state_dir: Path | None = None
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, spec: str | Path, state_dir: Path | None = None, user: str | None = None,
           password: str | None = None) -> StoreTarget:
        """A directory keeps its own state (`state_dir` and credentials are ignored); a URL needs `state_dir`."""
        if not is_remote(spec):
            return cls(Path(spec))
        return cls(str(spec), state_dir, user, password)

    @property
    def remote(self) -> bool:
        return is_remote(self.spec)

    @property
    def state(self) -> Path:
        if not self.remote:
            return Path(self.spec)
        if self.state_dir is None:
            raise ValueError(f"store {self.spec}: a remote store needs a local state directory (--state)")
        return self.state_dir


@dataclass(frozen=True)
class OpenStore:
    """One opened store: the triples (`store`), where its state lives, and what its build.json says."""

    store: Store
    spec: str | Path  # the directory or URL it was opened from
    state_dir: Path | None  # build.json and sources/: the current snapshot (or a flat directory itself)
    info: dict  # build.json ({} before the first build, or for a remote without --state)
    triples_dir: Path | None = None  # embedded: the pyoxigraph directory the query workers open
    stamp: tuple[int, int] | None = None  # embedded: `current` when opened (store/snapshots.py)

    def is_stale(self) -> bool:
        """True once a build has switched the store to another snapshot (one stat; see store/snapshots.py)."""
        return self.triples_dir is not None and pointer_stamp(self.spec) != self.stamp

    @property
    def iris(self) -> Iris | None:
        """The base the store was built with, normalised once (no trailing slash), or None before a build."""
        return Iris(self.info["base"]) if self.info.get("base") else None

    def query_executor(
        self,
        *,
        processes: int,
        timeout: float,
        queue_wait: float = 2.0,
        memory_mb: int = 0,
        sandbox: str = "auto",
        allow_service: tuple[str, ...] = (),
        recycle_mb: int = RECYCLE_MB,
    ) -> Executor:
        """The SPARQL endpoint's executor for this backend.

        Embedded: killable, confined worker processes over the pyoxigraph directory (they start on first
        use); queries whose every SERVICE is in `allow_service` run in a separate pool, the only one with
        a network (issue 10, docs/security.md). Remote: this `RemoteStore`, whose server enforces the time
        limit (store/remote_executor.py); confined store-less workers check each query first.
        """
        limits = {"timeout": timeout, "queue_wait": queue_wait, "memory_mb": memory_mb, "sandbox": sandbox,
                  "recycle_mb": recycle_mb}
        if isinstance(self.store, RemoteStore):
            checker = QueryExecutor(None, processes=processes, **limits)
            return RemoteExecutor(self.store, timeout=timeout, checker=checker)
        federation = QueryExecutor(self.triples_dir, processes=1, network=True, **limits) if allow_service else None
        return QueryExecutor(self.triples_dir, processes=processes, federation=federation, **limits)

    def page_store(self, *, processes: int, timeout: float, memory_mb: int, recycle_mb: int = RECYCLE_MB) -> Store:
        """The store the pages read: every query under `timeout` (store/timed.py), in processes whose
        address space is capped at `memory_mb` like /sparql's (a page's query carries what a visitor typed:
        a search term, a page number; session 14's cold review found these workers uncapped).

        Embedded: a `TimedStore` over its own pool of killable query processes. Remote: the
        `RemoteStore` itself, opened with that timeout, whose server stops a query in time.
        """
        if isinstance(self.store, OxigraphStore):
            return TimedStore(self.store, QueryExecutor(self.triples_dir, processes=processes, timeout=timeout,
                                                        memory_mb=memory_mb, recycle_mb=recycle_mb))
        return self.store

    def close(self) -> None:
        self.store.close()


def open_store(
    spec: str | Path,
    *,
    state_dir: Path | None = None,
    read_only: bool = False,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 30.0,
) -> OpenStore:
    """Choose the backend once: an http(s) URL → RemoteStore, anything else → OxigraphStore on disk.

    A URL is a Virtuoso query endpoint (`…/sparql`); with `user` it is also written through
    Virtuoso's authenticated endpoints beside it (docs/remote-store.md). Other remotes: build
    `RemoteStore(RemoteEndpoints(...))` yourself.
    """
    text = str(spec)
    if not is_remote(text):
        return _open_directory(Path(text), read_only)
    if not text.startswith(("http://", "https://")):
        raise ValueError(f"store: expected a directory or an http(s) SPARQL endpoint URL, got {text!r}")
    base = text.rstrip("/")
    base = base[: -len("/sparql")] if base.endswith("/sparql") else base
    endpoints = RemoteEndpoints.virtuoso(base, None if read_only else user, password)
    store = RemoteStore(replace(endpoints, query=text), timeout=timeout)
    info = read_build_info(state_dir) if state_dir is not None else {}
    return OpenStore(store, text, state_dir, info)


def _open_directory(root: Path, read_only: bool) -> OpenStore:
    """The snapshot `current` names; a flat pyoxigraph directory (made by hand, or by luzhi before
    issue 10) is read as it is. Writing goes through a build (etl/build.py), never into a snapshot."""
    pointer = read_pointer(root)
    if pointer.snapshot is not None:
        store = OxigraphStore(pointer.triples_dir, read_only=True)
        info = read_build_info(pointer.snapshot)
        return OpenStore(store, root, pointer.snapshot, info, pointer.triples_dir, pointer.stamp)
    if not read_only and not is_flat(root) and root.is_dir() and any(root.iterdir()):
        raise StoreLayoutError(f"{root} 不是 luzhi 存储（没有 current，也没有 pyoxigraph 文件）：请给空的或新的目录"
                               f" / {root} is not a luzhi store (no `current`, no pyoxigraph files); give an empty or "
                               "new directory")
    return OpenStore(OxigraphStore(root, read_only=read_only), root, root, read_build_info(root), root, None)
