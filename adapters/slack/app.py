"""The slack-bolt app: verifies and acks what Slack sends, hands it to the core, renders what comes back."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.followups import FollowUps
from adapters.slack.chat import SingleWorkspaceTokens, SlackChat, SlackClients, SlackTokens
from adapters.slack.events import address, answer_command, team_of, vote_command
from adapters.slack.installations import StoreInstallationStore, StoreOAuthStateStore
from bot.app import PrepBot
from bot.config import Settings
from bot.domain.model import Speaker
from bot.messages import RunCommand
from bot.ports import Clock, Metrics
from bot.store.unit_of_work import Store

log = logging.getLogger("prepbot.slack")
Handler = Callable[[dict[str, Any]], Awaitable[None]]

BOT_SCOPES = [
    "channels:history",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "users:read",
]


class SlackSettingsError(ValueError):
    """Slack is configured partly; the message says what is missing."""


def slack_configured(settings: Settings) -> bool:
    return any([settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
                settings.slack_client_id])


def slack_mode(settings: Settings) -> str:
    """'socket' or 'http', or raises SlackSettingsError naming what is missing."""
    mode = settings.slack_mode or ("socket" if settings.slack_app_token else "http")
    if mode == "socket":
        missing = [name for name, value in (("SLACK_APP_TOKEN", settings.slack_app_token),
                                            ("SLACK_BOT_TOKEN", settings.slack_bot_token)) if not value]
        if missing:
            raise SlackSettingsError(f"Slack Socket Mode needs {' and '.join(missing)}")
        return mode
    if mode != "http":
        raise SlackSettingsError(f"SLACK_MODE must be 'socket' or 'http', not '{mode}'")
    if not settings.slack_signing_secret:
        raise SlackSettingsError("Slack over HTTP needs SLACK_SIGNING_SECRET")
    if not settings.slack_bot_token and not (settings.slack_client_id and settings.slack_client_secret):
        raise SlackSettingsError(
            "Slack over HTTP needs SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "to install in many"
        )
    return mode


@dataclass
class SlackParts:
    """The Slack side, wired: the chat port the core posts through, and the bolt app that feeds the core."""

    chat: SlackChat
    tokens: SlackTokens
    clients: SlackClients
    settings: Settings
    store: Store
    clock: Clock
    app: AsyncApp | None = None
    followups: FollowUps | None = None

    async def close(self) -> None:
        """Lets reactions and acknowledged commands finish, then closes the HTTP connections."""
        if self.followups is not None:
            await self.followups.close()
        await self.clients.close()


def build_slack_chat(settings: Settings, store: Store, clock: Clock, metrics: Metrics | None = None) -> SlackParts:
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


def build_slack_app(parts: SlackParts, bot: PrepBot) -> AsyncApp:
    """The bolt app that feeds prepbot: `/prep` and messages through `BurstRoutes`, reactions through listeners.
    Every request is answered only after what it carries is committed."""
    settings = parts.settings
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=parts.clients.api_url,
                            session=parts.clients.session())
    kwargs: dict[str, Any] = {
        "client": client,
        "signing_secret": settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        "process_before_response": True,
        "request_verification_enabled": slack_mode(settings) == "http",
    }
    if not settings.slack_bot_token:
        installations = parts.tokens
        assert isinstance(installations, StoreInstallationStore)
        kwargs["installation_store"] = installations
        kwargs["installation_store_bot_only"] = True
        kwargs["oauth_settings"] = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=BOT_SCOPES,
            installation_store=installations,
            state_store=StoreOAuthStateStore(parts.store, parts.clock),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
        )
    app = AsyncApp(**kwargs)
    chat = parts.chat
    followups = parts.followups = FollowUps(lambda: bot.answers.arrivals)

    async def on_prep(body: dict[str, Any]) -> None:
        # Queued durably before Slack gets its 200 (it allows 3 seconds); it runs after the response.
        team = str(body.get("team_id") or "")
        user = str(body.get("user_id") or "")
        channel = address(body, str(body.get("channel_id") or ""))
        speaker = Speaker(user, await chat.display_name_soon(team, user))
        command = RunCommand(channel, speaker, str(body.get("text") or ""), str(body.get("channel_name") or ""))
        key = str(body.get("trigger_id") or "") or f"{team}:{user}:{bot.clock.now().isoformat()}"
        inbox_id = await bot.enqueue_command(command, f"slack:{key}")
        if inbox_id is not None:  # None: a retried delivery of a command already queued
            followups.start(bot.run_queued(inbox_id, command))

    async def bot_user(body: dict[str, Any]) -> str | None:
        identity = await parts.tokens.bot_for(team_of(body))
        return identity.user_id if identity else None

    async def on_message(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        user = str(event.get("user") or "")
        name = await chat.display_name_soon(team_of(body), user) if user and not event.get("bot_id") else user
        command = answer_command(body, name, await bot_user(body), bot.clock.now())
        if command is not None:
            # Committed before Slack gets its 200; the reaction follows once the arrivals of the moment are in.
            outcome = await bot.store_answer(command)
            followups.start(bot.acknowledge_answer(command, outcome))

    # The two kinds of request that come in bursts, `/prep` and messages (answers in a question's thread), are
    # taken by a middleware that runs after bolt's own (signature check, authorization, URL verification,
    # ignoring the bot's own events): matching listeners costs bolt more per request than storing an answer costs
    # prepbot. An error answers 500, so Slack retries. Everything else goes on to the listeners below.
    app.use(BurstRoutes(on_prep, on_message))

    async def on_reaction(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        user = str(event.get("user") or "")
        team = team_of(body)
        info = await chat.user(team, user)
        is_bot = bool(info.get("is_bot")) or user == await bot_user(body)
        command = vote_command(body, await chat.display_name_soon(team, user), is_bot, bot.clock.now())
        if command is not None:
            await bot.handle_vote(command)

    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)

    parts.app = app
    return app


class BurstRoutes(AsyncMiddleware):
    """Answers `/prep` slash commands and `message` events itself, once `on_prep` / `on_message` return; passes
    every other request on."""

    def __init__(self, on_prep: Handler, on_message: Handler) -> None:
        self._on_prep = on_prep
        self._on_message = on_message

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        body = req.body
        if body.get("command") == "/prep":
            await self._on_prep(body)
            return BoltResponse(status=200, body="")
        if body.get("type") == "event_callback" and (body.get("event") or {}).get("type") == "message":
            await self._on_message(body)
            return BoltResponse(status=200, body="")
        return await next()


def http_routes(app: AsyncApp) -> web.RouteTableDef:
    """Slack's HTTP endpoints: events, interactivity and the slash command on one URL, plus the OAuth pages."""
    routes = web.RouteTableDef()

    async def dispatch(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

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
