"""The outbox: e-mails and webhooks sent by the worker."""
