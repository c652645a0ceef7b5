"""Written instructions of the municipalities (GDPR art. 28(3)(a); annex art. 1.2, 3.2, 4.1)."""
