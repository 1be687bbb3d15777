"""AI judges on external endpoints."""
