"""A rebuild while a server runs: every answer comes from one snapshot, and the switch is seen (issue 10).

issue 10 saw pages keep old triples and old ETags while /source served the new text, and after a
worker respawn /sparql answer new data while /doc answered old. Here readers hammer /source and
/graph during a real rebuild: one ETag must always come with one body (never an old ETag on a new
text), and once the build is done the new body and a new ETag are served, without a restart.
"""

from __future__ import annotations

import hashlib
import shutil
import threading

import requests
from build_helpers import BASE
from werkzeug.serving import make_server

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.server.app import create_app
from luzhi.server.config import Config


def _fetch(url: str) -> tuple[str, str]:
    response = requests.get(url, headers={"Accept": "application/n-triples"}, timeout=60)
    assert response.status_code == 200, (url, response.status_code)
    return response.headers["ETag"], hashlib.sha256(response.content).hexdigest()


def test_readers_see_one_snapshot_per_answer_and_the_new_one_after_the_switch(tmp_path):
    documents = tmp_path / "docs"
    documents.mkdir()
    for source in bundled_documents()[:2]:
        shutil.copyfile(source, documents / source.name)
    changed = documents / bundled_documents()[0].name
    store = tmp_path / "store"
    result = build(sorted(documents.iterdir()), store, BuildOptions(base=BASE, validate=False))
    code = next(r.township_code for r in result.documents if r.file == changed.name)

    app = create_app(Config(store_path=store, base=BASE))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    urls = [f"http://127.0.0.1:{server.server_port}/source/{code}/{changed.name}",
            f"http://127.0.0.1:{server.server_port}/graph/{code}"]
    try:
        before = [_fetch(url) for url in urls]
        seen: dict[str, set[tuple[str, str]]] = {url: set() for url in urls}
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                for url in urls:
                    seen[url].add(_fetch(url))

        readers = [threading.Thread(target=read) for _ in range(2)]
        for reader in readers:
            reader.start()
        changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        build([changed], store, BuildOptions(base=BASE, validate=False))
        done.set()
        for reader in readers:
            reader.join(60)
        after = [_fetch(url) for url in urls]
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["luzhi.sparql"].close()

    for url, old, new in zip(urls, before, after, strict=True):
        assert old[0] != new[0] and old[1] != new[1], url  # the switch is seen: new body, new ETag
        answers = seen[url] | {old, new}
        etags = {etag for etag, _ in answers}
        assert len(etags) == len(answers) == 2, (url, answers)  # each ETag always with its own body
