"""Serving many users: the shared result store, the filters and their links, the page registry,
replicas, and the browser helpers."""
