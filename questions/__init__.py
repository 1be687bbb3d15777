"""The shipped question packs (YAML data files in this folder)."""

from pathlib import Path

SHIPPED_PACKS = Path(__file__).parent
