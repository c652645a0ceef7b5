"""Encryption in the application: AES-256 zip commands and encrypted database columns."""
