"""Use cases: async functions that name their dependencies as parameters."""
