"""A 200-answer round graded by the AI judge through the fake OpenAI-compatible server, against the floor.

    python bench/judge.py [--answers 200] [--latency 0.05] [--concurrency 8] [--timeout 30]

Every answer is one chat-completions request through the real `openai` SDK (OpenAIJudge) to the fake server
(tests/fakes/openai.py), which checks each request against OpenAI's spec and answers each after `latency` seconds.
All answers are handed to the judge at once, as a reveal would; the judge keeps at most `concurrency` requests in
flight. It prints the wall time, the floor that concurrency allows (answers x latency / concurrency), their ratio,
the most requests the server saw in flight, and the spec violations and failed judgements (both must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.judge.openai import OpenAIJudge  # noqa: E402
from bot.config import JudgeSettings  # noqa: E402
from bot.domain.judging import grounded  # noqa: E402
from bot.judging import JudgeRequest  # noqa: E402
from tests.fakes.openai import FakeOpenAI  # noqa: E402

KEY_POINTS = ("Keys and values of earlier tokens are stored", "Decode steps avoid recomputing attention inputs",
              "Cache memory grows with batch size and sequence length")
SENTENCES = ("A KV cache stores the keys and values of earlier tokens.",
             "Each decode step reuses them instead of recomputing attention inputs.",
             "Its memory grows with the batch size and the sequence length.")


def requests(count: int) -> list[JudgeRequest]:
    return [
        JudgeRequest(f"kv-{i}", "Why does a KV cache speed up decoding?", "What would each step recompute?",
                     KEY_POINTS, f"Member {i} says: " + " ".join(SENTENCES[: 1 + i % 3]))
        for i in range(count)
    ]


async def run(answers: int, latency: float, concurrency: int, timeout: float) -> int:
    async with FakeOpenAI(latency=latency) as server:
        settings = JudgeSettings(server.url, "fake-judge-1", "sk-bench", timeout, concurrency, answers)
        judge = OpenAIJudge(settings, deadline=max(60.0, 4 * answers * latency))
        batch = requests(answers)
        await judge.judge(batch[0])  # connect once, outside the timing
        server.requests.clear()
        server.most_in_flight = 0
        started = time.perf_counter()
        results = await asyncio.gather(*(judge.judge(r) for r in batch), return_exceptions=True)
        wall = time.perf_counter() - started
        await judge.close()
    failed = [r for r in results if isinstance(r, BaseException)]
    covered = sum(len(grounded(r, q).covered) for r, q in zip(results, batch) if not isinstance(r, BaseException))
    floor = answers * latency / concurrency
    print(f"answers            {answers}  (latency {latency * 1000:.0f} ms per request, concurrency {concurrency})")
    print(f"wall time          {wall:.2f} s")
    print(f"floor              {floor:.2f} s  ({answers} x {latency:g} s / {concurrency})")
    print(f"wall / floor       {wall / floor:.2f}")
    print(f"most in flight     {server.most_in_flight}")
    print(f"points covered     {covered}  (expected {sum(1 + i % 3 for i in range(answers))})")
    print(f"failed judgements  {len(failed)}")
    print(f"spec violations    {len(server.violations)}")
    for violation in server.violations[:5]:
        print(f"  {violation}")
    return 1 if failed or server.violations or server.most_in_flight > concurrency else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=200, help="answers in the round (default 200)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the fake takes per request (0.05)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests the judge keeps in flight (8)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one request may take (30)")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.answers, args.latency, args.concurrency, args.timeout)))


if __name__ == "__main__":
    main()
