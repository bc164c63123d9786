"""The store layer: the `Store` protocol, its two backends, formats, dumps and the build state.

Below both the ETL (which loads the store) and the server (which reads it); it imports only the
ontology. `store.open.open_store` is the one place a backend is chosen (docs/architecture.md).
"""
