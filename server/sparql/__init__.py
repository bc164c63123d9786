"""The SPARQL 1.1 endpoint's machinery (issue 5), kept apart from Flask so each part is testable.

- `service_check`: a real parser's view of a query before it runs (form, dataset, SERVICE targets).
- `protocol`: an HTTP request → `SparqlRequest`, or a `ProtocolError` carrying its status code.
- `formats`: result media types, `format=` names and content negotiation per query form.
- `executor` / `worker`: queries run in killable worker processes (timeout, row limit).
- `description`: the SPARQL 1.1 Service Description graph.
- `examples`: the worked example queries shown on the query page.
"""
