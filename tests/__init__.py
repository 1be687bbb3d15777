"""prepbot's tests."""
