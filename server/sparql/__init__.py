"""The SPARQL 1.1 endpoint's machinery (issue 5), kept apart from Flask so each part is testable.

- `protocol`: an HTTP request → `SparqlRequest`, or a `ProtocolError` carrying its status code.
- `formats`: result media types, `format=` names and content negotiation per query form.
- `query_text`: undeclared prefixes, for the syntax-error message only (decides nothing).
- in store/: `service_check` (a real parser's view of a query: form, dataset, SERVICE targets) and
  `executor` / `query_worker` (queries checked and run in confined, killable processes).
- `description`: the SPARQL 1.1 Service Description graph.
- `examples`: the worked example queries shown on the query page.
"""
