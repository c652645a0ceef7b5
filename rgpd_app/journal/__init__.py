"""The sealed journal of accesses and operations (annex §2)."""
