"""Adapters: they translate between a platform and the core, and never decide."""
