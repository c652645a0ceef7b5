"""Account management (annex §1): creating, listing and disabling accounts, and their pages."""
