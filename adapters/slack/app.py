"""The slack-bolt app: verifies and acks what Slack sends, hands it to the core, renders what comes back."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.followups import FollowUps
from adapters.slack.chat import SingleWorkspaceTokens, SlackChat, SlackClients, SlackTokens
from adapters.slack.events import (
    address, answer_command, bot_joined, home_opened_by, slack_time, team_of, vote_command,
)
from adapters.slack.installations import StoreAuthorize, StoreInstallationStore, StoreOAuthStateStore
from adapters.slack.render import ANSWER_ACTION, ANSWER_BLOCK, ANSWER_VIEW, answer_modal, notice_modal, \
    read_answer_modal, render, render_home
from adapters.slack.settings import SlackSettings, slack_mode
from bot.app import Handled, PrepBot
from bot.cards import Card
from bot.domain.model import Speaker
from bot.logs import short_error
from bot.messages import AnswerOutcome, AnswerPrivately, RunCommand
from bot.ports import ChatError, Clock, Metrics
from bot.services.welcome import WelcomeOutcome
from bot.store.unit_of_work import Store
from bot.wording import answer_busy_notice, answers_closed_notice, busy_notice, private_answer_receipt

log = logging.getLogger("prepbot.slack")
Handler = Callable[[dict[str, Any]], Awaitable[BoltResponse]]

# Slack waits 3 seconds for a response, then shows the member an error (a command) or delivers again (an event).
# prepbot gives itself this long to store what a request carries; what takes longer is answered "busy" (a command)
# or 500 (an event: Slack delivers it again), and whatever was still being stored is settled after the response.
RESPONSE_BUDGET = 2.0
BACKSTOP = 0.5  # on top of the budget: the longest any request waits, in any step (bolt's own included)
MAX_BODY = 1024 * 1024  # bytes; Slack's payloads are far smaller

BOT_SCOPES = [
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "users:read",
]


@dataclass
class SlackParts:
    """The Slack side, wired: the chat port the core posts through, and the bolt app that feeds the core."""

    chat: SlackChat
    tokens: SlackTokens
    clients: SlackClients
    settings: SlackSettings
    store: Store
    clock: Clock
    app: AsyncApp | None = None
    followups: FollowUps | None = None
    response_budget: float = RESPONSE_BUDGET

    async def close(self) -> None:
        """Lets reactions and acknowledged commands finish, then closes the HTTP connections."""
        if self.followups is not None:
            await self.followups.close()
        await self.clients.close()


def build_slack_chat(settings: SlackSettings, store: Store, clock: Clock, metrics: Metrics | None = None) -> SlackParts:
    """The Slack chat port, with tokens from the settings or from the stored installations; 429s are counted in
    `metrics`."""
    slack_mode(settings)
    counted = metrics
    clients = SlackClients(
        settings.slack_api_url,
        on_rate_limited=(lambda method: counted.platform_error("slack", method, True)) if counted else None,
    )
    tokens: SlackTokens
    if settings.slack_bot_token:
        tokens = SingleWorkspaceTokens(settings.slack_bot_token, clients)
    else:
        tokens = StoreInstallationStore(store, clock)
    admins = frozenset(u.strip() for u in settings.slack_admin_users.split(",") if u.strip())
    chat = SlackChat(tokens, clients, channel_interval=settings.slack_channel_interval, admin_users=admins,
                     admin_usergroup=settings.slack_admin_usergroup)
    return SlackParts(chat, tokens, clients, settings, store, clock)


def build_slack_app(parts: SlackParts, bot: PrepBot) -> DeadlineApp:
    """The bolt app that feeds prepbot: `/prep` and messages through `BurstRoutes`, reactions and the installation's
    lifecycle through listeners. Every request is answered only after what it carries is committed, and within
    Slack's 3 seconds: what cannot be stored in time is answered "busy" (a command) or 500 (an event)."""
    settings = parts.settings
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=parts.clients.api_url,
                            session=parts.clients.session())
    kwargs: dict[str, Any] = {
        "client": client,
        "signing_secret": settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        "process_before_response": True,
        # Over HTTP, `http_routes` checks the signature before bolt sees the request (and logs a refusal without
        # the body, which bolt would log whole).
        "request_verification_enabled": False,
    }
    if not settings.slack_bot_token:
        installations = parts.tokens
        assert isinstance(installations, StoreInstallationStore)
        kwargs["installation_store"] = installations
        kwargs["installation_store_bot_only"] = True
        kwargs["authorize"] = StoreAuthorize(installations)
        kwargs["oauth_settings"] = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=BOT_SCOPES,
            installation_store=installations,
            state_store=StoreOAuthStateStore(parts.store, parts.clock),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
        )
    app = DeadlineApp(parts.response_budget + BACKSTOP, **kwargs)
    chat = parts.chat
    arrivals = 0  # the answers and commands that reached this app: the follow-ups wait while they keep coming
    followups = parts.followups = FollowUps(lambda: arrivals)
    budget = parts.response_budget
    replies = ResponseUrlReplies(parts.clients.session)

    async def on_prep(body: dict[str, Any]) -> BoltResponse:
        # Queued durably before Slack gets its 200 (it allows 3 seconds); it runs after the response.
        nonlocal arrivals
        deadline = asyncio.get_running_loop().time() + budget
        team = str(body.get("team_id") or "")
        user = str(body.get("user_id") or "")
        channel = address(body, str(body.get("channel_id") or ""))
        speaker = Speaker(user, await chat.display_name_soon(team, user))
        command = RunCommand(channel, speaker, str(body.get("text") or ""), str(body.get("channel_name") or ""))
        key = str(body.get("trigger_id") or "") or f"{team}:{user}:{bot.clock.now().isoformat()}"
        response_url = str(body.get("response_url") or "")
        reply = replies.to(response_url) if response_url.startswith(("https://", "http://")) else None
        arrivals += 1
        queued = asyncio.ensure_future(bot.handle_command(command, f"slack:{key}", reply))
        try:
            handled = await _within(queued, deadline)
        except asyncio.TimeoutError:
            # The member is told to try again, so the command must not run when the store catches up.
            queued.add_done_callback(lambda done: _drop_late(done, followups, bot))
            log.warning("a /prep command was answered busy: the store did not take it within %.1f s", budget)
            return busy_response()
        except Exception as error:
            log.warning("a /prep command was answered busy: %s", short_error(error))
            return busy_response()
        if handled.follow_up is not None:  # None: a retried delivery of a command already queued
            followups.start(handled.follow_up())
        return BoltResponse(status=200, body="")

    async def bot_user(body: dict[str, Any]) -> str | None:
        identity = await parts.tokens.bot_for(team_of(body))
        return identity.user_id if identity else None

    async def on_message(body: dict[str, Any]) -> BoltResponse:
        deadline = asyncio.get_running_loop().time() + budget
        event = body.get("event") or {}
        user = str(event.get("user") or "")
        name = await chat.display_name_soon(team_of(body), user) if user and not event.get("bot_id") else user
        command = answer_command(body, name, await bot_user(body), bot.clock.now())
        if command is None:
            return BoltResponse(status=200, body="")
        # Committed before Slack gets its 200; the reaction follows once the arrivals of the moment are in.
        nonlocal arrivals
        arrivals += 1
        stored = asyncio.ensure_future(bot.handle_answer(command))
        try:
            handled = await _within(stored, deadline)
        except asyncio.TimeoutError:
            # Slack delivers it again; if the store takes it meanwhile, it is acknowledged once, from here.
            stored.add_done_callback(lambda done: _follow_up_late(done, followups))
            log.warning("an answer was answered 500: the store did not take it within %.1f s", budget)
            return BoltResponse(status=500, body="")
        except Exception as error:
            log.warning("an answer was answered 500: %s", short_error(error))
            return BoltResponse(status=500, body="")
        if handled.follow_up is not None:
            followups.start(handled.follow_up())
        return BoltResponse(status=200, body="")

    # The two kinds of request that come in bursts, `/prep` and messages (answers in a question's thread), are
    # taken by a middleware that runs after bolt's own (authorization, URL verification, ignoring the bot's own
    # events): matching listeners costs bolt more per request than storing an answer costs prepbot. Everything
    # else goes on to the listeners below.
    app.use(BurstRoutes(on_prep, on_message))

    async def on_reaction(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        user = str(event.get("user") or "")
        team = team_of(body)
        # Never waits on users.info beyond a moment: a member not looked up yet (users.info rate-limited, say) is
        # taken for a person, which members are; the look-up goes on and answers the next time.
        info = await chat.user_soon(team, user) or {}
        is_bot = bool(info.get("is_bot")) or user == await bot_user(body)
        command = vote_command(body, await chat.display_name_soon(team, user), is_bot, bot.clock.now())
        if command is not None:
            handled = await bot.handle_vote(command)
            if handled.follow_up is not None:
                followups.start(handled.follow_up())

    async def on_answer_button(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        """The "Answer privately" button under a question: opens the member's private answer with what they gave so
        far (views.open with the click's trigger_id, which Slack honours for 3 seconds), or, after the deadline, a
        modal that says the round is closed."""
        await ack()
        container = body.get("container") or {}
        channel_id = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        thread_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        user = str((body.get("user") or {}).get("id") or "")
        form = await bot.answer_form(address(body, channel_id), thread_ts, user)
        if form is None:
            return
        view = answer_modal(channel_id, thread_ts, form.current) if form.open else notice_modal(answers_closed_notice())
        try:
            await client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
        except (SlackApiError, OSError, asyncio.TimeoutError) as error:
            log.warning("could not open the private answer form: %s", short_error(error))

    async def on_answer_submitted(ack: Any, body: dict[str, Any]) -> None:
        """A private answer sent from its modal: committed before Slack gets its response (within its 3 seconds),
        which replaces the modal with the receipt. Not stored in time, the modal stays open saying so, and sending it
        again stores it once."""
        nonlocal arrivals
        deadline = asyncio.get_running_loop().time() + budget
        read = read_answer_modal(body.get("view") or {})
        if read is None:
            await ack()
            return
        channel_id, thread_ts, text = read
        user = str((body.get("user") or {}).get("id") or "")
        speaker = Speaker(user, await chat.display_name_soon(team_of(body), user))
        arrivals += 1
        stored = asyncio.ensure_future(bot.handle_answer(
            AnswerPrivately(address(body, channel_id), thread_ts, speaker, text, bot.clock.now())))
        try:
            handled = await _within(stored, deadline)
        except Exception as error:
            log.warning("a private answer was answered busy: %s", short_error(error) if str(error) else "timeout")
            await ack(response_action="errors", errors={ANSWER_BLOCK: answer_busy_notice().text})
            return
        await ack(response_action="update", view=notice_modal(private_answer_receipt(handled.outcome)))

    app.action(ANSWER_ACTION)(on_answer_button)
    app.view(ANSWER_VIEW)(on_answer_submitted)

    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)

    async def on_uninstalled(body: dict[str, Any]) -> None:
        """The app was removed from the workspace (or its bot token revoked): its installation is deleted, every
        replica stops using the token, and the workspace's schedules stop (history and points are kept; after a
        reinstall, admins subscribe their channels again, as the bot has to be invited back anyway)."""
        event = body.get("event") or {}
        if event.get("type") == "tokens_revoked" and not ((event.get("tokens") or {}).get("bot")):
            return  # only user tokens: prepbot has none
        team = team_of(body)
        await parts.tokens.forget(team, removed_at=slack_time(body.get("event_time"), bot.clock.now()))
        stopped = await bot.workspace_removed("slack", team)
        log.info("prepbot was removed from workspace %s: %d channel schedules stopped", team, stopped)

    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_uninstalled)

    async def on_member_joined(body: dict[str, Any]) -> None:
        """The bot was invited to a channel: its welcome is claimed before Slack is answered and posted after. When
        the store is too slow Slack gets a 500 and delivers the event again; the welcome still follows once, from
        whichever delivery claimed it."""
        channel = bot_joined(body, await bot_user(body))
        if channel is None:
            return  # someone else joined
        claimed = asyncio.ensure_future(bot.welcome(channel))
        try:
            handled = await _within(claimed, asyncio.get_running_loop().time() + budget)
        except asyncio.TimeoutError:
            claimed.add_done_callback(lambda done: _welcome_late(done, followups))
            log.warning("a welcome was answered 500: the store did not take it within %.1f s", budget)
            raise
        if handled.follow_up is not None:
            followups.start(handled.follow_up())

    app.event("member_joined_channel")(on_member_joined)

    async def on_home_opened(body: dict[str, Any]) -> None:
        """A member opened the app's Home tab: it is published afresh for them, after Slack is answered."""
        user = home_opened_by(body)
        if user is not None:
            followups.start(publish_home(team_of(body), user))

    async def publish_home(team: str, user: str) -> None:
        card = await bot.home_for("slack", team, Speaker(user, await chat.display_name_soon(team, user)))
        await chat.publish_home(team, user, render_home(card))

    app.event("app_home_opened")(on_home_opened)

    parts.app = app
    return app


async def _within(work: asyncio.Future[Any], deadline: float) -> Any:
    """The result of `work`, if it is done by `deadline` (the event loop's time); raises asyncio.TimeoutError
    otherwise, leaving `work` to go on."""
    async with asyncio.timeout_at(deadline):  # a deadline on this wait only, with no task of its own to start
        return await asyncio.shield(work)


def _drop_late(queued: asyncio.Future[Handled[int | None, int]], followups: FollowUps, bot: PrepBot) -> None:
    """A command answered "busy" that the store took after all is marked done without running."""
    if not queued.cancelled() and queued.exception() is None:
        inbox_id = queued.result().outcome
        if inbox_id is not None:
            followups.start(bot.drop_command(inbox_id))


def _follow_up_late(stored: asyncio.Future[Handled[AnswerOutcome, None]], followups: FollowUps) -> None:
    """An answer answered 500 that the store took after all is acknowledged (its redelivery is then a repeat)."""
    if not stored.cancelled() and stored.exception() is None:
        follow_up = stored.result().follow_up
        if follow_up is not None:
            followups.start(follow_up())


def _welcome_late(claimed: asyncio.Future[Handled[WelcomeOutcome, str | None]], followups: FollowUps) -> None:
    """A welcome answered 500 that the store claimed after all is posted, from here (its redelivery is a repeat)."""
    if not claimed.cancelled() and claimed.exception() is None:
        follow_up = claimed.result().follow_up
        if follow_up is not None:
            followups.start(follow_up())


class ResponseUrlReplies:
    """Shows a command's reply to the member who ran it through the command's response_url, which works where the
    bot is not a member (a channel it was not invited to, a private channel, a DM). One webhook client is set up
    once (its headers, retries, proxy) and copied for each URL, on the shared HTTP session."""

    def __init__(self, session: Callable[[], aiohttp.ClientSession]) -> None:
        self._session = session
        self._webhook = AsyncWebhookClient("")

    def to(self, response_url: str) -> Callable[[Card], Awaitable[None]]:
        webhook = copy.copy(self._webhook)
        webhook.url = response_url
        webhook.session = self._session()

        async def deliver(card: Card) -> None:
            for message in render(card):
                try:
                    response = await webhook.send(text=message.text, blocks=message.blocks,
                                                  response_type="ephemeral")
                except (OSError, asyncio.TimeoutError, SlackApiError) as error:
                    raise ChatError(f"Slack response_url: {error.__class__.__name__}") from None
                if response.status_code != 200:
                    raise ChatError(f"Slack response_url: HTTP {response.status_code} {response.body[:100]}",
                                    rate_limited=response.status_code == 429)

        return deliver



def busy_response() -> BoltResponse:
    """What a member sees when a command could not be taken in time: the core's words, shown only to them."""
    message = render(busy_notice())[0]
    return BoltResponse(status=200, headers={"content-type": "application/json"},
                        body=json.dumps({"response_type": "ephemeral", "text": message.text,
                                         "blocks": message.blocks}))


class DeadlineApp(AsyncApp):
    """A bolt app that answers every request within `limit` seconds, whatever step is slow (an installation read
    behind a busy store, say): late, a slash command is answered "busy" and anything else 500 (Slack retries)."""

    def __init__(self, limit: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._limit = limit
        self.signing_secret = str(kwargs["signing_secret"])

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        try:
            async with asyncio.timeout(self._limit):  # no task of its own per request, unlike wait_for
                return await super().async_dispatch(req)
        except asyncio.TimeoutError:
            log.warning("a Slack request took more than %.1f s: answered without it", self._limit)
            return busy_response() if req.body.get("command") else BoltResponse(status=500, body="")


class BurstRoutes(AsyncMiddleware):
    """Answers `/prep` slash commands and `message` events itself, with what `on_prep` / `on_message` return;
    passes every other request on."""

    def __init__(self, on_prep: Handler, on_message: Handler) -> None:
        self._on_prep = on_prep
        self._on_message = on_message

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        body = req.body
        if body.get("command") == "/prep":
            return await self._on_prep(body)
        if body.get("type") == "event_callback" and (body.get("event") or {}).get("type") == "message":
            return await self._on_message(body)
        return await next()


class SlackRequestError(ValueError):
    """A request to Slack's endpoint that is not a well-formed, signed Slack request; `status` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def read_slack_request(raw: bytes, headers: Any, verifier: SignatureVerifier) -> AsyncBoltRequest:
    """The bolt request for a signed, well-formed Slack request; raises SlackRequestError (401: not signed by
    Slack, or too old; 400: not a body Slack sends) otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SlackRequestError(400, "the body is not UTF-8") from None
    if not verifier.is_valid(text, headers.get("X-Slack-Request-Timestamp") or "",
                             headers.get("X-Slack-Signature") or ""):
        raise SlackRequestError(401, "the signature or its timestamp is not valid")
    content_type = str(headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if content_type == "application/json":
        try:
            parsed = json.loads(text)
        except ValueError:
            raise SlackRequestError(400, "the JSON body cannot be read") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
            raise SlackRequestError(400, "the JSON body is not an Events API payload")
    elif content_type == "application/x-www-form-urlencoded":
        try:
            form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        except ValueError:
            raise SlackRequestError(400, "the form body cannot be read") from None
        if "payload" in form:
            try:
                payload = json.loads(form["payload"])
            except ValueError:
                raise SlackRequestError(400, "the form's payload is not JSON") from None
            if not isinstance(payload, dict):
                raise SlackRequestError(400, "the form's payload is not a JSON object")
        elif not form.get("command") or not form.get("team_id") or not form.get("user_id"):
            raise SlackRequestError(400, "the form is not a slash command")
    else:
        raise SlackRequestError(400, f"unexpected Content-Type {content_type[:60]!r}")
    return AsyncBoltRequest(body=text, headers={k: v for k, v in headers.items()})


def http_routes(app: DeadlineApp) -> web.RouteTableDef:
    """Slack's HTTP endpoints: events, interactivity and the slash command on one URL, plus the OAuth pages. A
    request not signed by Slack is refused 401, a malformed one 400, an oversized one 413, each with one short log
    line (never the body: it may hold what members wrote)."""
    routes = web.RouteTableDef()
    verifier = SignatureVerifier(app.signing_secret)

    async def dispatch(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            log.info("refused a Slack request: %d bytes is more than %d", request.content_length, MAX_BODY)
            return web.Response(status=413, text="too large")
        raw = await request.content.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            log.info("refused a Slack request: more than %d bytes", MAX_BODY)
            return web.Response(status=413, text="too large")
        try:
            bolt_request = read_slack_request(raw, request.headers, verifier)
        except SlackRequestError as error:
            log.info("refused a Slack request (%d): %s", error.status, error)
            return web.Response(status=error.status, text="invalid request")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    routes.post("/slack/events")(dispatch)
    oauth_flow = app.oauth_flow
    if oauth_flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await oauth_flow.handle_installation(await to_bolt_request(request)))

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await oauth_flow.handle_callback(await to_bolt_request(request)))

        routes.get(oauth_flow.install_path)(install)
        routes.get(oauth_flow.redirect_uri_path)(redirect)
    return routes

