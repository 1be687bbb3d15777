"""How well and how fast the grader ranks the evaluation set, next to the word-prefix matcher it replaced.

    python bench/grading.py [--round 200] [--runs 20]

For every file in tests/grading/answers, each kind of answer is scored as the reveal scores it (participation plus
coverage) and the agreed orderings are checked: strong > weak > off_topic, strong_other_words > weak,
strong > keyword_list, strong > negated. It prints the share of questions where each ordering holds (pairwise
accuracy), the mean score per kind, answers graded per second, and the time to grade a round of `--round` answers
(the prefix matcher graded each answer twice at a reveal, once to score and once for the card; the explanation
grader grades it once and the card is built from what was stored).

`--set held_out` scores tests/grading/held_out instead: answers to the other questions, written after the grader was
tuned and never used to tune it, so it shows how the grader does on answers it was not shaped around.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.bootstrap import question_folders  # noqa: E402
from bot.config import Settings  # noqa: E402
from bench import prefix_matcher  # noqa: E402
from bot.domain.grading_text import read  # noqa: E402
from bot.domain.matching import grade  # noqa: E402
from bot.domain.questions import Question  # noqa: E402
from bot.domain.scoring import Weights, answer_awards  # noqa: E402
from bot.questions import load_bank  # noqa: E402

SETS = {name: Path(__file__).resolve().parents[1] / "tests" / "grading" / name for name in ("answers", "held_out")}
KINDS = ("strong", "strong_other_words", "weak", "off_topic", "keyword_list", "negated")
ORDER = (("strong", "weak"), ("weak", "off_topic"), ("strong_other_words", "weak"), ("strong", "keyword_list"),
         ("strong", "negated"))


def prefix_score(text: str, question: Question) -> int:
    coverage = prefix_matcher.assess(text, question.key_points)
    return Weights().participation + round(Weights().coverage * coverage.ratio)


def explanation_score(text: str, question: Question) -> int:
    return sum(a.amount for a in answer_awards(grade(text, question), 0, Weights()))


GRADERS: dict[str, tuple[Callable[[str, Question], int], int]] = {
    # name: (score, gradings per answer at a reveal)
    "prefix matcher (before)": (prefix_score, 2),
    "explanation grader": (explanation_score, 1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", type=int, default=200, help="answers in the timed round")
    parser.add_argument("--runs", type=int, default=20, help="timed runs (the best is reported)")
    parser.add_argument("--set", choices=sorted(SETS), default="answers",
                        help="the evaluation set: answers (the tuned set) or held_out")
    args = parser.parse_args()
    bank = load_bank(question_folders(Settings()))
    sets = []
    for file in sorted(SETS[args.set].glob("*.yaml")):
        answers = yaml.safe_load(file.read_text(encoding="utf-8"))
        question = bank.get(answers["question"])
        if question is not None:
            sets.append((question, answers))
    print(f"{len(sets)} questions with answers of {len(KINDS)} kinds")
    pool = [(answers[kind], question) for question, answers in sets for kind in KINDS]
    for name, (score, per_reveal) in GRADERS.items():
        print(f"\n{name}")
        scores = [{kind: score(answers[kind], question) for kind in KINDS} for question, answers in sets]
        for better, worse in ORDER:
            held = sum(1 for s in scores if s[better] > s[worse])
            print(f"  {better:>18} > {worse:<13} {held:>3}/{len(scores)}  ({held / len(scores):.0%})")
        print("  mean score: " + ", ".join(f"{k} {statistics.mean(s[k] for s in scores):.1f}" for k in KINDS))
        round_ = list(itertools.islice(itertools.cycle(pool), args.round))
        best = float("inf")
        for _ in range(args.runs):
            read.cache_clear()  # every answer of a round is new text: nothing of it is read yet
            started = time.perf_counter()
            for text, question in round_:
                for _ in range(per_reveal):
                    score(text, question)
            best = min(best, time.perf_counter() - started)
        print(f"  {args.round * per_reveal / best:,.0f} gradings/s; a {args.round}-answer reveal grades in "
              f"{best * 1000:.1f} ms ({per_reveal} grading(s) per answer)")


if __name__ == "__main__":
    main()
