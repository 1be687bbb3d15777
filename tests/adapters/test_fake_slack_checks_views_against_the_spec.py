"""The fake Slack takes views (App Home and modals) as Slack does.

The fake Slack takes views.publish as Slack does: a `home` view within Block Kit's limits for a known member, kept
as that member's Home tab; anything else is flagged. It also says, as Slack does, when the bot joins a channel and
when a member opens the Home tab."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack

TEAM = "T0000000A1"
ALICE = "U00000ALICE"
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_workspace(TEAM, name="Alpha")
        fake.add_user(TEAM, ALICE, "alice")
        fake.add_channel(TEAM, "C0000000A1", "general", bot_member=False)
        yield fake


def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=f"xoxb-{TEAM}", base_url=f"{fake.url}/api/")


async def test_a_home_view_is_published_for_the_member(slack: FakeSlack) -> None:
    response = await client(slack).views_publish(user_id=ALICE, view=HOME)

    assert response["ok"] and response["view"]["type"] == "home"
    assert slack.home_view(TEAM, ALICE) == HOME
    assert slack.violations == []


@pytest.mark.parametrize("view, problem", [
    ({"type": "modal", "blocks": []}, "views.publish takes a `home` view"),
    ({"type": "home", "blocks": [{"type": "divider"}] * 101}, "101 blocks (max 100)"),
    ({"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
     "3001 characters (max 3000)"),
])
async def test_a_view_slack_would_refuse_is_refused_and_flagged(slack: FakeSlack, view: dict[str, object],
                                                                problem: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client(slack).views_publish(user_id=ALICE, view=view)

    assert refused.value.response["error"] == "invalid_arguments"
    assert any(problem in v for v in slack.violations), slack.violations
    assert slack.home_view(TEAM, ALICE) is None


async def test_publishing_for_someone_the_workspace_does_not_know_is_refused(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client(slack).views_publish(user_id="U0NOBODY01", view=HOME)

    assert refused.value.response["error"] == "user_not_found"
    assert slack.violations == []


def test_inviting_the_bot_and_opening_the_home_tab_are_the_events_slack_sends(slack: FakeSlack) -> None:
    joined = slack.invite_bot("C0000000A1", inviter=ALICE)
    opened = slack.open_home(TEAM, ALICE)

    assert joined["type"] == "event_callback" and joined["team_id"] == TEAM
    assert {k: joined["event"][k] for k in ("type", "user", "channel", "inviter")} == {
        "type": "member_joined_channel", "user": "UBOT", "channel": "C0000000A1", "inviter": ALICE}
    assert {k: opened["event"][k] for k in ("type", "user", "tab")} == {
        "type": "app_home_opened", "user": ALICE, "tab": "home"}
