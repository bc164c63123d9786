"""The store's state beside its triples: `build.json` (which build, which documents, which base) and `sources/`.

The embedded store keeps it in its own directory; a remote store keeps only triples, so its state
lives in a local directory (`--state`, docs/remote-store.md). The ETL writes it (etl/build.py),
the server reads it (ETags, /source/, the base): both through this module, one reader of one file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BUILD_INFO = "build.json"
SOURCES_DIR = "sources"
DUMPS_DIR = "dumps"  # written by the server (/dumps/), never part of the build's identity


def read_build_info(state_dir: Path) -> dict:
    """The parsed build.json, or {} when the directory holds none (no build yet)."""
    path = Path(state_dir) / BUILD_INFO
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_build_info(state_dir: Path, info: dict) -> None:
    (Path(state_dir) / BUILD_INFO).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")


def save_source(state_dir: Path, source: Path) -> None:
    """Keep the build's copy of a source document (served at /source/<name>)."""
    folder = Path(state_dir) / SOURCES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / source.name)


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
