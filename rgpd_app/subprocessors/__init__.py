"""Sub-processors, their chain, change notices and objection windows (annex 4.4)."""
