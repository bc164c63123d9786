"""/dumps/: whole-store dumps (N-Quads and Turtle, gzipped) with their SHA-256.

`luzhi build` writes them into `<store>/dumps/<build id>/` (store/dump.py); they are served as
static files. A store without them (a remote store, or one built before the build wrote them) gets
them written on first request, next to the store or in a temporary folder when the store's folder is
read-only: computing a whole-store dump per request would not survive 300 million triples.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import tempfile
import threading
from pathlib import Path

from flask import Response, abort, send_file

from luzhi.server.conneg import negotiate
from luzhi.server.context import build_info, get_config, get_store
from luzhi.server.views.common import render_page
from luzhi.server.views.conditional import conditional
from luzhi.server.void_description import Dump
from luzhi.store.dump import DUMP_FILES, MANIFEST, assemble_dumps
from luzhi.store.state import DUMPS_DIR

_lock = threading.Lock()


def _dump_dir() -> Path:
    """`<store>/dumps/<build id>/` when the build wrote it or it is writable, else a per-user temporary folder."""
    build_id = build_info().build_id
    preferred = Path(get_config().store_path) / DUMPS_DIR
    if (preferred / build_id / MANIFEST).exists():
        return preferred / build_id
    for root in (preferred, Path(tempfile.gettempdir()) / f"luzhi-dumps-{os.getuid()}"):
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe = root / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
            return root / build_id
        except OSError:
            continue
    raise RuntimeError("no writable folder for dumps")


def dumps() -> list[Dump]:
    """The dumps of this build, written now if the build did not."""
    folder = _dump_dir()
    manifest = folder / MANIFEST
    with _lock:
        if not manifest.exists():
            folder.mkdir(parents=True, exist_ok=True)
            # Several gunicorn workers may ask at once: one writes (an flock across processes), the
            # others wait and then read its manifest. Issue 10: they raced on one `.part` file → 500.
            with open(folder / ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not manifest.exists():
                    assemble_dumps(folder, {}, [get_store().quads])
    return [Dump(**entry) for entry in json.loads(manifest.read_text(encoding="utf-8"))]


def dumps_index():
    entries = dumps()
    if negotiate(["text/html", "application/json"]) == "application/json":
        response = Response(json.dumps([e.__dict__ for e in entries]), mimetype="application/json")
        response.vary.add("Accept")
        return conditional(response)
    return render_page("dumps.html", dumps=entries, title="dumps")


def dumps_checksums():
    body = "".join(f"{e.sha256}  {e.name}\n" for e in dumps())
    return conditional(Response(body, mimetype="text/plain"), vary_accept=False)


def dump_file(name: str):
    if name not in DUMP_FILES:
        abort(404)
    entries = {e.name: e for e in dumps()}
    path = _dump_dir() / name
    response = send_file(path, mimetype="application/gzip", download_name=name, conditional=False)
    response.direct_passthrough = False
    # RFC 3230 / RFC 5843: the value is base64 (a hex digest made clients that check it fail; cold review).
    # The whole file's digest, also on a 206 (RFC 3230 §4.3.2: the instance's).
    response.headers["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(entries[name].sha256)).decode()}"
    return conditional(response, vary_accept=False, complete_length=path.stat().st_size)
