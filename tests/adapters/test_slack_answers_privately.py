"""On Slack, the "Answer privately" button and its modal are the private path to a question.

On Slack, a question answered privately carries an "Answer privately" button: it opens a modal with the member's
answer so far, the submitted answer is stored before Slack gets its response (within 3 seconds), nobody else sees it
before the reveal, and after the deadline the modal says the round is closed. Against the fake Slack, which checks
views.open and the responses against Slack's spec, with the real sample interaction payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.render import ANSWER_ACTION, ANSWER_BLOCK, ANSWER_INPUT
from bot.domain.model import ChannelAddress, assemble_answers
from tests.adapters.slack_team import SlackTeam, berlin, block_text, slack_team
from tests.fakes.slack import Message
from tests.fakes.slack.views import OpenedView

MODES = ["socket", "http"]


async def interact(team: SlackTeam, payload: dict[str, Any]) -> dict[str, Any]:
    """Delivers an interaction the way the mode does; returns the app's response (its ack payload)."""
    if team.mode == "http":
        status, text = await team.slack.send_signed(f"{team.live.http_url}/slack/events",
                                                    urlencode({"payload": json.dumps(payload)}),
                                                    "application/x-www-form-urlencoded")
        assert status == 200
        response = json.loads(text) if text.strip() else {}
        if payload["type"] == "view_submission":
            team.slack.view_responses.append(response)
    else:
        ack = await team.slack.push_socket("interactive", payload)
        response = ack.get("payload") or {}
    await team.settled()
    return response


async def click(team: SlackTeam, user: str, question: Message) -> OpenedView | None:
    before = len(team.slack.views_for(user))
    await interact(team, team.slack.block_action(team.team_id, team.channel, user, question.ts, ANSWER_ACTION))
    opened = team.slack.views_for(user)
    return opened[-1] if len(opened) > before else None


async def submit(team: SlackTeam, opened: OpenedView, text: str) -> dict[str, Any]:
    return await interact(team, team.slack.view_submission(opened, {ANSWER_BLOCK: {ANSWER_INPUT: text}}))


def input_of(opened: OpenedView) -> dict[str, Any] | None:
    return next((b["element"] for b in opened.view["blocks"] if b.get("type") == "input"), None)


def modal_text(view: dict[str, Any]) -> str:
    return block_text(type("View", (), {"blocks": view.get("blocks"), "text": ""})())


async def stored(team: SlackTeam, question: Message) -> list[tuple[str, str]]:
    async with team.live.bot.store.unit_of_work() as uow:
        channel = await uow.channels.find(ChannelAddress("slack", team.team_id, team.channel))
        assert channel is not None
        round_ = await uow.rounds.by_message(channel.id, question.ts)
        assert round_ is not None
        answers = assemble_answers(await uow.answers.for_round(round_.id))
        members = await uow.members.get_many(a.member_id for a in answers)
    return [(members[a.member_id].ref, a.on_time_text) for a in answers if not a.withdrawn]


async def open_question(team: SlackTeam) -> Message:
    assert await team.command("UADA", "subscribe 09:30 Europe/Berlin mon-fri 17:00") == 200
    await team.until(berlin(2026, 11, 30, 10, 0))
    (question,) = team.questions()
    return question


@pytest.mark.parametrize("mode", MODES)
async def test_a_member_answers_privately_through_the_button_and_edits_the_answer_before_the_deadline(
    tmp_path: Path, mode: str,
) -> None:
    async with slack_team(tmp_path, mode) as team:
        question = await open_question(team)
        button = (question.blocks or [])[-1]
        assert button["type"] == "actions" and button["elements"][0]["action_id"] == ANSWER_ACTION

        opened = await click(team, "UBEN", question)
        assert opened is not None and "initial_value" not in (input_of(opened) or {})
        response = await submit(team, opened, "Profile first, then batch requests.")

        assert response["response_action"] == "update" and "saved" in modal_text(response["view"])
        assert await stored(team, question) == [("UBEN", "Profile first, then batch requests.")]
        assert team.slack.thread(team.channel, question.ts) == []  # nothing anyone else can read
        assert team.ephemerals_for("UBEN") == []

        again = await click(team, "UBEN", question)
        assert again is not None and (input_of(again) or {}).get("initial_value") == \
            "Profile first, then batch requests."
        replaced = await submit(team, again, "Profile first, then batch requests and quantize.")
        assert "replaced" in modal_text(replaced["view"])
        assert await stored(team, question) == [("UBEN", "Profile first, then batch requests and quantize.")]
        assert team.slack.violations == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_modal_submitted_twice_is_stored_once(tmp_path: Path, mode: str) -> None:
    async with slack_team(tmp_path, mode) as team:
        question = await open_question(team)
        opened = await click(team, "UCAT", question)
        assert opened is not None

        first = await submit(team, opened, "Use a KV cache.")
        second = await submit(team, opened, "Use a KV cache.")

        assert first["response_action"] == second["response_action"] == "update"
        assert await stored(team, question) == [("UCAT", "Use a KV cache.")]
        assert team.slack.violations == []


async def test_a_thread_reply_is_kept_and_its_author_alone_is_told_it_is_public(tmp_path: Path) -> None:
    async with slack_team(tmp_path, "socket") as team:
        question = await open_question(team)

        reply = await team.reply("UDAN", question.ts, "Quantize the model.")

        assert team.slack.reactions(team.channel, reply)
        (told,) = team.ephemerals_for("UDAN")
        assert "everyone can read it" in told
        assert all(e.user == "UDAN" for e in team.slack.ephemerals)
        assert await stored(team, question) == [("UDAN", "Quantize the model.")]
        assert team.slack.violations == []


async def test_the_reveal_shows_the_private_answers_and_afterwards_the_button_says_the_round_is_closed(
    tmp_path: Path,
) -> None:
    async with slack_team(tmp_path, "socket") as team:
        question = await open_question(team)
        opened = await click(team, "UEVE", question)
        assert opened is not None
        await submit(team, opened, "Speculative decoding cuts latency.")

        await team.until(berlin(2026, 11, 30, 17, 0))
        (reveal,) = [text for text in team.thread_texts(question.ts) if "left ·" not in text]  # the reminder aside
        assert "Speculative decoding cuts latency." in reveal

        closed = await click(team, "UEVE", question)
        assert closed is not None and input_of(closed) is None and "closed" in modal_text(closed.view)
        late = await submit(team, opened, "Too late now.")
        assert "closed" in modal_text(late["view"])
        assert await stored(team, question) == [("UEVE", "Speculative decoding cuts latency.")]
        assert team.slack.violations == []
