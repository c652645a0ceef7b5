"""Accounts, roles, two-factor authentication and API tokens (annex §1)."""
