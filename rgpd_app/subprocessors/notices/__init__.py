"""Sub-processor change notices (annex 4.4): sending, answers, objection windows."""
