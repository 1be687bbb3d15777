"""The console channel: the embedded default, with time travel."""
