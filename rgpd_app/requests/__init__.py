"""Data-subject requests: forwarding to the municipality and assistance (annex art. 3.3, 4.3)."""
