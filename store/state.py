"""The store's state beside its triples: `build.json` (which build, which documents, which base) and `sources/`.

The embedded store keeps it in its own directory; a remote store keeps only triples, so its state
lives in a local directory (`--state`, docs/remote-store.md). The ETL writes it (etl/build.py),
the server reads it (ETags, /source/, the base): both through this module, one reader of one file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from luzhi.store.snapshots import write_atomically

BUILD_INFO = "build.json"
SOURCES_DIR = "sources"
DUMPS_DIR = "dumps"  # written by the server (/dumps/), never part of the build's identity


class StateError(Exception):
    """build.json cannot be read; the message names the file and the way out."""


def read_build_info(state_dir: Path) -> dict:
    """The parsed build.json, or {} when the directory holds none (no build yet).

    A truncated build.json used to block both `serve` and a rebuild with a traceback (issue 10):
    it is now an error that names the file and the repair, a fresh build from the documents.
    """
    path = Path(state_dir) / BUILD_INFO
    if not path.exists():
        return {}
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise StateError(f"{path} is unreadable ({error}); repair: rebuild the store from its documents with "
                         "`luzhi build --fresh --store DIR FILES…`") from None
    if not isinstance(info, dict) or not isinstance(info.get("documents", []), list):
        raise StateError(f"{path} is not a luzhi build.json; repair: `luzhi build --fresh --store DIR FILES…`")
    return info


def write_build_info(state_dir: Path, info: dict) -> None:
    """Written whole or not at all (temp file + rename): a kill never leaves half a build.json (issue 10)."""
    write_atomically(Path(state_dir) / BUILD_INFO, json.dumps(info, ensure_ascii=False, indent=2).encode("utf-8"))


def source_of(entry: dict) -> str:
    """Where build.json's entry of a document has its copy under `sources/` (and its IRI under `/source/`):
    `{code}/{file}` (ontology/iris.py `source_key`), or its bare name for a store built before cold review 21."""
    return entry.get("source") or entry["file"]


def held_source(state_dir: Path, entry: dict) -> Path:
    """The store's copy of the document build.json's `entry` describes."""
    return Path(state_dir) / SOURCES_DIR / source_of(entry)


def save_source(state_dir: Path, source: Path, key: str) -> None:
    """Keep the build's copy of a source document under `key` (`{code}/{file}`, served at /source/{code}/{file});
    replaced whole (temp + rename)."""
    target = Path(state_dir) / SOURCES_DIR / key
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def carry_sources(parent: Path, child: Path, drop: set[str]) -> None:
    """A new snapshot starts with its parent's sources (hard links: free, and files are never edited in
    place, only replaced) minus those `drop` names (`{code}/{file}` or a bare name: the documents the build
    removes or builds again)."""
    source, target = Path(parent) / SOURCES_DIR, Path(child) / SOURCES_DIR
    target.mkdir(parents=True, exist_ok=True)
    for path in _sources(source):
        key = path.relative_to(source).as_posix()
        if key not in drop and not (target / key).exists():
            (target / key).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target / key)


def remove_sources(state_dir: Path, keys: set[str]) -> None:
    """Remove these copies (a remote store's state has no snapshot to leave them behind in), and a township's
    folder left empty."""
    folder = Path(state_dir) / SOURCES_DIR
    for key in keys:
        (folder / key).unlink(missing_ok=True)
        if "/" in key and (folder / key).parent.is_dir() and not any((folder / key).parent.iterdir()):
            (folder / key).parent.rmdir()


def source_keys(state_dir: Path) -> list[str]:
    """Every copy under `sources/`, as `{code}/{file}` or a bare name."""
    folder = Path(state_dir) / SOURCES_DIR
    return sorted(path.relative_to(folder).as_posix() for path in _sources(folder))


def _sources(folder: Path) -> list[Path]:
    """The files of `sources/`: a bare name (a store built before cold review 21), or in a township's folder."""
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.is_dir():
            found.extend(p for p in path.iterdir() if p.is_file())
        elif path.is_file():
            found.append(path)
    return found


def source_file(state_dir: Path, key: str) -> Path | None:
    """The build's copy of a source document (`key`: `{code}/{file}`, or a bare name in a store built before
    cold review 21), if there is one; never a path outside `sources/`, nor a temporary copy."""
    parts = key.split("/")
    if len(parts) > 2 or any(not part or part.startswith(".") for part in parts):
        return None
    if len(parts) == 2 and not (parts[0].isascii() and parts[0].isdigit()):  # a township's folder is named by its code
        return None
    candidate = Path(state_dir) / SOURCES_DIR / key
    return candidate if candidate.is_file() else None


@dataclass(frozen=True)
class BuildInfo:
    """Identity and time of the store's build, for `ETag` and `Last-Modified`."""

    build_id: str
    time: datetime


def build_identity(state_dir: Path) -> BuildInfo:
    """From build.json; without one (a store built by hand), derived from the directory's mtime."""
    state_dir = Path(state_dir)
    data = read_build_info(state_dir)
    if data.get("build_id") and data.get("built_at"):
        return BuildInfo(data["build_id"], datetime.fromisoformat(data["built_at"]))
    # `dumps/` is written by the server itself; counting it would change the id it is keyed by.
    files = [p for p in state_dir.iterdir() if p.name != DUMPS_DIR]
    mtime = max((p.stat().st_mtime for p in files), default=state_dir.stat().st_mtime)
    when = datetime.fromtimestamp(int(mtime), tz=UTC)
    return BuildInfo(hashlib.sha256(f"{state_dir.resolve()}:{mtime}".encode()).hexdigest()[:16], when)
