"""The processor and the municipalities it serves, with their contract parameters."""
