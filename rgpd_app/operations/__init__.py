"""Running the service: health and readiness probes, Prometheus metrics, status, backup/restore."""
