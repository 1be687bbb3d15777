"""Plain domain objects and rules. Nothing here does I/O or reads the clock: rules take `now`."""
