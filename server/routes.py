"""Every URL the server answers, in one list read top to bottom (datasette's `_routes`; DESIGN.md §2, HTTP).

Grouped by what they serve. Endpoint names keep the `module.view` form the blueprints gave them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from luzhi.server.views import compare, crawlers, dataset, dumps, health, ontology, pages, resource, sparql, validate


@dataclass(frozen=True)
class Route:
    rule: str
    view: Callable
    methods: tuple[str, ...] = ("GET",)
    automatic_options: bool = True
    # A read route answers any origin (server/cors.py); only the upload of a submission is not one.
    read: bool = True

    @property
    def endpoint(self) -> str:
        return f"{self.view.__module__.rsplit('.', 1)[-1]}.{self.view.__name__}"


ROUTES: tuple[Route, ...] = (
    # Pages that are not one resource (issue 6)
    Route("/", pages.home),
    Route("/search", pages.search),
    Route("/search.<ext>", pages.search),  # `.json`; any other, a 404 naming it (server/offers.py)
    # Townships side by side, with JSON/CSV/xlsx twins (issue 14)
    Route("/compare", compare.comparison),
    Route("/compare.<ext>", compare.comparison),
    # Linked data: /id → 303 → /doc, negotiated; the source texts lines point into (issue 6)
    Route("/id/<path:rest>", resource.thing),
    Route("/doc/<path:rest>", resource.document),
    Route("/source/<path:filename>", resource.source),
    # The vocabulary
    Route("/def", ontology.vocabulary),
    Route("/def.<ext>", ontology.vocabulary),
    Route("/def/<name>", ontology.term),
    # The dataset: its description, one township's graph, the dumps
    Route("/.well-known/void", dataset.void),
    Route("/.well-known/void.<ext>", dataset.void),
    Route("/graph/<code>", dataset.named_graph),
    Route("/dumps/", dumps.dumps_index),
    Route("/dumps/SHA256SUMS", dumps.dumps_checksums),
    Route("/dumps/<name>", dumps.dump_file),
    # For crawlers
    Route("/robots.txt", crawlers.robots),
    Route("/sitemap.xml", crawlers.sitemap_index),
    Route("/sitemap/<name>.xml", crawlers.sitemap),
    # SPARQL 1.1 Protocol, read-only (issue 5); answers OPTIONS itself (its preflight allows POST)
    Route("/sparql", sparql.sparql, ("GET", "POST", "OPTIONS"), automatic_options=False),
    # SHACL validation of submissions (issue 4)
    Route("/validate", validate.form),
    Route("/validate", validate.submit, ("POST",), read=False),
    # For load balancers
    Route("/health", health.health),
)
