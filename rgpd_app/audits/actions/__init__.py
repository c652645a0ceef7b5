"""The audit's steps as POST forms, one table of actions (annex art. 4.6)."""
