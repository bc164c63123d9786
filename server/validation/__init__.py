"""The validation service: submissions (RDF or a raw list) → the ETL → SHACL, in a killable process; its CLI."""
