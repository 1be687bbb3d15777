"""The core imports no platform SDK when loaded.

The core (bot/) works without any platform: importing all of it loads no Slack, Discord, HTTP client, Pillow or
OpenAI library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLATFORM_LIBRARIES = ("slack_sdk", "slack_bolt", "discord", "aiohttp", "PIL", "openai")


def test_importing_every_core_module_loads_no_platform_library() -> None:
    modules = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for path in (REPO / "bot").rglob("*.py")
        if path.name != "__init__.py"
    )
    assert "bot.services.answers" in modules and "bot.bootstrap" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {PLATFORM_LIBRARIES!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""
