"""`prepbot console` with an AI judge shows the judge's feedback.

With an AI judge configured (the same settings as a served bot), a new console channel is graded by the judge, and
the reveal shows its feedback. The judge is the fake OpenAI-compatible server over loopback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.e2e.console import console_command, console_env
from tests.fakes.openai import FakeOpenAI

SCRIPT = """\
/prep random
I would profile first to find the bottleneck, then quantize the model and batch requests to keep the GPU busy.
:advance 31m
:quit
"""


async def test_the_console_reveal_shows_the_ai_judges_feedback_when_a_judge_is_configured(tmp_path: Path) -> None:
    async with FakeOpenAI() as server:
        env = console_env(tmp_path) | {"PREPBOT_JUDGE_BASE_URL": server.url, "PREPBOT_JUDGE_MODEL": "fake-judge-1",
                                       "PREPBOT_JUDGE_API_KEY": "sk-test-key-0123456789abcdef"}
        process = await asyncio.create_subprocess_exec(
            *console_command(tmp_path / "console.db", "--start", "2026-11-30T10:00", "--tz", "Europe/Berlin"),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            cwd=tmp_path, env=env,
        )
        out, err = await asyncio.wait_for(process.communicate(SCRIPT.encode()), timeout=120)
    records = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    text = "\n".join(str(r.get("text", "")) for r in records)

    assert process.returncode == 0, err.decode()
    assert len(server.requests) == 1 and server.violations == []
    assert "switched grading to the AI judge (model fake-judge-1)" in text
    assert "The AI judge says: You covered" in text
    assert "Graded by AI judge (model fake-judge-1): 1 answer." in text
    assert "sk-test-key" not in out.decode() + err.decode()
