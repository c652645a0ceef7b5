"""Encrypted file deposits exchanged with municipalities for an intervention (issue 8)."""
