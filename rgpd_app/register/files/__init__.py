"""The register's files: exports, the import template and the import of a spreadsheet."""
