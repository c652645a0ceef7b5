"""Long exports built by the worker (DESIGN §5): the queue, its web pages and its API."""
