"""Tests of the use cases, through the whole core on a real database."""
