"""/dumps/: whole-store dumps (N-Quads and Turtle, gzipped) with their SHA-256.

Dumps are written once per build, on first request, next to the store (or in a temporary
folder when the store's folder is read-only), then served as static files with their SHA-256:
computing a whole-store dump per request would not survive 300 million triples.
"""

from __future__ import annotations

import base64
import fcntl
import gzip
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

from flask import Response, abort, request, send_file

from luzhi.server.conneg import choose
from luzhi.server.context import build_info, get_config, get_store
from luzhi.server.views.common import conditional, render_page
from luzhi.server.void_description import Dump
from luzhi.store.dump import write_dump
from luzhi.store.formats import BY_MIME
from luzhi.store.state import DUMPS_DIR

DUMPS = {"luzhi.nq.gz": "application/n-quads", "luzhi.ttl.gz": "text/turtle"}
_lock = threading.Lock()


def _dump_dir() -> Path:
    """`<store>/dumps/<build id>/` when writable, else a per-user temporary folder."""
    build_id = build_info().build_id
    preferred = Path(get_config().store_path) / DUMPS_DIR
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
    """The dumps of this build, written now if they are not there yet."""
    folder = _dump_dir()
    manifest = folder / "manifest.json"
    with _lock:
        if not manifest.exists():
            folder.mkdir(parents=True, exist_ok=True)
            # Several gunicorn workers may ask at once: one writes (an flock across processes), the
            # others wait and then read its manifest. Issue 10: they raced on one `.part` file → 500.
            with open(folder / ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not manifest.exists():
                    entries = [_write_dump(folder, name, mime) for name, mime in DUMPS.items()]
                    tmp = manifest.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_text(json.dumps([e.__dict__ for e in entries]), encoding="utf-8")
                    tmp.replace(manifest)
    return [Dump(**entry) for entry in json.loads(manifest.read_text(encoding="utf-8"))]


def _write_dump(folder: Path, name: str, mime: str) -> Dump:
    store = get_store()
    target = folder / name
    partial = folder / f"{name}.{os.getpid()}.part"
    # mtime=0: the same build gives byte-identical files, so the published SHA-256 stays true.
    with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        write_dump(store, BY_MIME[mime].dump_name, out)
    digest = hashlib.sha256()
    with open(partial, "rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    partial.replace(target)
    return Dump(name=name, media_type=mime, size=target.stat().st_size, sha256=digest.hexdigest())


def dumps_index():
    entries = dumps()
    if choose(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json":
        response = Response(json.dumps([e.__dict__ for e in entries]), mimetype="application/json")
        response.vary.add("Accept")
        return conditional(response)
    return render_page("dumps.html", dumps=entries, title="dumps")


def dumps_checksums():
    body = "".join(f"{e.sha256}  {e.name}\n" for e in dumps())
    return conditional(Response(body, mimetype="text/plain"), vary_accept=False)


def dump_file(name: str):
    if name not in DUMPS:
        abort(404)
    entries = {e.name: e for e in dumps()}
    response = send_file(_dump_dir() / name, mimetype="application/gzip", download_name=name, conditional=False)
    response.direct_passthrough = False
    # RFC 3230 / RFC 5843: the value is base64 (a hex digest made clients that check it fail; cold review).
    response.headers["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(entries[name].sha256)).decode()}"
    return conditional(response, vary_accept=False)
