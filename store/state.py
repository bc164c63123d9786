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


def save_source(state_dir: Path, source: Path) -> None:
    """Keep the build's copy of a source document (served at /source/<name>); replaced whole (temp + rename)."""
    folder = Path(state_dir) / SOURCES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{source.name}.tmp"
    shutil.copyfile(source, tmp)
    os.replace(tmp, folder / source.name)


def carry_sources(parent: Path, child: Path, drop: set[str]) -> None:
    """A new snapshot starts with its parent's sources (hard links: free, and files are never edited in
    place, only replaced) minus the files `drop` names (documents the build removes or replaces)."""
    source, target = Path(parent) / SOURCES_DIR, Path(child) / SOURCES_DIR
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir() if source.is_dir() else []:
        if path.name not in drop and not (target / path.name).exists():
            os.link(path, target / path.name)


def source_file(state_dir: Path, filename: str) -> Path | None:
    """The build's copy of a source document, if there is one; never a path outside `sources/`."""
    if "/" in filename or filename.startswith("."):
        return None
    candidate = Path(state_dir) / SOURCES_DIR / filename
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
