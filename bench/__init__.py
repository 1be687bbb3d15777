"""Speed measurements of prepbot's busiest moments (see bench/README.md)."""
