"""Audits by municipalities (annex art. 4.6): notice, decision, report, corrective plan, time."""
