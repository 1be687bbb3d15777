"""End-to-end tests that run prepbot's own processes."""
