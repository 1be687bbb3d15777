"""What is logged about a judge's reply that did not validate names the rule broken, never what the reply said."""

import json

from adapters.judge.openai import parse_reply

SECRET_WORDS = "my private answer about the canary rollout"


def test_a_reply_whose_values_break_the_schema_is_described_without_its_values() -> None:
    reply = json.dumps({"points": [{"covered": SECRET_WORDS, "quote": SECRET_WORDS}], "feedback": "Fine."})

    problem = parse_reply(reply, 1)

    assert isinstance(problem, str)
    assert "does not match the schema" in problem and "points/0/covered" in problem
    assert SECRET_WORDS not in problem


def test_a_reply_with_an_unexpected_field_is_described_without_its_value() -> None:
    reply = json.dumps({"points": [{"covered": True, "quote": "x"}], "feedback": "Fine.", SECRET_WORDS: 1})

    problem = parse_reply(reply, 1)

    assert isinstance(problem, str) and SECRET_WORDS not in problem
