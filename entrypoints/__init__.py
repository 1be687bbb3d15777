"""The outer ring: the commands and the process that wire the core to its adapters."""
