"""Breach notices to each municipality (GDPR art. 33(2)): confirmation, delivery, letters."""
