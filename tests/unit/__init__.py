"""Unit tests: the domain, the wording and static checks of the source."""
