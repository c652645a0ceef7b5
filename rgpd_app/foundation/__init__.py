"""The layer below every domain: role names, column types, the acting user, tenancy scoping
and the journal's `record`. It imports no domain package (an import-linter contract)."""
