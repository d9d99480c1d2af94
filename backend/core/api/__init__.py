"""API base: pagination, the exception handler mapping the error family to HTTP, the visible viewset."""
