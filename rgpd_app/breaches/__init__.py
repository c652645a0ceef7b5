"""Personal data breaches (annex 4.7; GDPR art. 33 and 34)."""
