"""Message bodies the bot sends: checked against the limits, stored with their attachments, flags and edits."""

from __future__ import annotations

import copy
import itertools
import mimetypes
import re
from typing import Any

from tests.fakes.discord.errors import _DiscordError, _form_error, _Problem
from tests.fakes.discord.limits import _walk_components, message_is_empty, message_problems
from tests.fakes.discord.model import Channel, Interaction, Msg, _iso, _Upload
from tests.fakes.discord.protocol import (
    MSG_FLAG_EPHEMERAL,
    MSG_FLAG_IS_COMPONENTS_V2,
    MSG_FLAG_LOADING,
    MSG_FLAG_SUPPRESS_EMBEDS,
    MSG_FLAG_SUPPRESS_NOTIFICATIONS,
)
from tests.fakes.discord.state import DiscordState


class DiscordMessageBodies(DiscordState):
    """Turns message bodies into stored messages, and edits into changes."""

    def _check_message_body(self, body: Any, uploads: list[_Upload], *, creating: bool,
                            base: tuple[Any, ...] = ()) -> dict[str, Any]:
        if body is None:
            body = {}
        problems = message_problems(body, base)
        if problems:
            raise _form_error(problems)
        if creating and message_is_empty(body, bool(uploads)):
            raise _DiscordError(400, 50006, "Cannot send an empty message")
        checked: dict[str, Any] = body
        return checked

    def _attachments_from(self, body: dict[str, Any], uploads: list[_Upload], channel_id: str,
                          existing: list[dict[str, Any]] | None = None,
                          msg_files: dict[str, bytes] | None = None) -> list[dict[str, Any]]:
        by_index: dict[int, _Upload] = {}
        for i, u in enumerate(uploads):
            m = re.fullmatch(r"files\[(\d+)\]", u.field)
            by_index[int(m.group(1)) if m else i] = u
        entries = body.get("attachments")
        keep: list[dict[str, Any]] = []
        used: set[int] = set()
        if isinstance(entries, list):
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                ref = entry.get("id")
                old = next((a for a in existing or [] if a["id"] == str(ref)), None)
                if old is not None:
                    keep.append(old)
                    continue
                try:
                    idx = int(str(ref))
                except (TypeError, ValueError):
                    idx = -1
                if idx in by_index:
                    used.add(idx)
                    keep.append(self._attachment(by_index[idx], channel_id, entry, msg_files))
                else:
                    raise _form_error([_Problem(("attachments",), "ATTACHMENT_NOT_FOUND",
                                                f"Attachment {ref!r} is neither an upload nor an existing attachment")])
        elif existing:
            keep = list(existing)
        for idx, u in sorted(by_index.items()):
            if idx not in used:
                keep.append(self._attachment(u, channel_id, {}, msg_files))
        return keep

    def _attachment(self, u: _Upload, channel_id: str, entry: dict[str, Any],
                    msg_files: dict[str, bytes] | None) -> dict[str, Any]:
        aid = self._snowflake()
        filename = str(entry.get("filename") or u.filename)
        url = f"{self.url}/attachments/{channel_id}/{aid}/{filename}"
        out: dict[str, Any] = {
            "id": aid,
            "filename": filename,
            "size": len(u.data),
            "url": url,
            "proxy_url": url,
            "content_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        }
        if entry.get("description"):
            out["description"] = str(entry["description"])
        if msg_files is not None:
            msg_files[aid] = u.data
        return out

    @staticmethod
    def _normalise_embeds(embeds: Any) -> list[dict[str, Any]]:
        out = []
        for e in embeds or []:
            if isinstance(e, dict):
                e = {k: v for k, v in e.items() if v is not None}
                e.setdefault("type", "rich")
                e.pop("flags", None)
                for f in e.get("fields", []) or []:
                    if isinstance(f, dict):
                        f.setdefault("inline", False)
                e["content_scan_version"] = 0
                out.append(e)
        return out

    @staticmethod
    def _normalise_components(components: Any) -> list[dict[str, Any]]:
        out = copy.deepcopy(components) if isinstance(components, list) else []
        counter = itertools.count(1)
        for c, _ in _walk_components(out, ()):
            c.setdefault("id", next(counter))
        return out

    def _new_message(self, ch: Channel, author_id: str, body: dict[str, Any], uploads: list[_Upload], *,
                     flags: int = 0, webhook: bool = False, interaction: Interaction | None = None,
                     mtype: int = 0) -> Msg:
        files: dict[str, bytes] = {}
        msg = Msg(
            id=self._snowflake(),
            channel_id=ch.id,
            author_id=author_id,
            content=body.get("content") or "",
            embeds=self._normalise_embeds(body.get("embeds")),
            components=self._normalise_components(body.get("components")),
            attachments=[],
            guild_id=ch.guild_id,
            flags=flags,
            type=mtype,
            timestamp=_iso(self._now()),
            webhook_id=self.application_id if webhook else None,
            interaction_id=interaction.id if interaction else None,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
            message_reference=body.get("message_reference") if isinstance(body.get("message_reference"), dict)
            else None,
            files=files,
        )
        msg.attachments = self._attachments_from(body, uploads, ch.id, msg_files=files)
        if msg.ephemeral and interaction is not None:
            msg.ephemeral_user_id = interaction.user_id
            for a in msg.attachments:
                a["ephemeral"] = True
        if msg.message_reference:
            ref_id = str(msg.message_reference.get("message_id") or "")
            ref = self._all_messages.get(ref_id)
            if ref is None or ref.deleted:
                if msg.message_reference.get("fail_if_not_exists", True):
                    raise _form_error([_Problem(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                                "Unknown message")])
            else:
                msg.type = 19
                msg.message_reference = {"type": 0, "channel_id": ref.channel_id, "message_id": ref.id,
                                         **({"guild_id": ref.guild_id} if ref.guild_id else {})}
        return msg

    def _creation_flags(self, body: dict[str, Any], where: str, *, interaction: bool) -> int:
        flags = body.get("flags") or 0
        if not isinstance(flags, int):
            return 0
        allowed = MSG_FLAG_SUPPRESS_EMBEDS | MSG_FLAG_SUPPRESS_NOTIFICATIONS | MSG_FLAG_IS_COMPONENTS_V2 | (1 << 13)
        if interaction:
            allowed |= MSG_FLAG_EPHEMERAL
        elif flags & MSG_FLAG_EPHEMERAL:
            self._violation(where, "flags has EPHEMERAL (64), which only applies to interaction responses; "
                                   "Discord ignores it and the message is public")
        return flags & allowed

    def _apply_edit(self, msg: Msg, body: dict[str, Any], uploads: list[_Upload], where: str) -> None:
        if "content" in body:
            msg.content = body.get("content") or ""
        if "embeds" in body:
            msg.embeds = self._normalise_embeds(body.get("embeds"))
        if "components" in body:
            msg.components = self._normalise_components(body.get("components"))
        if "attachments" in body or uploads:
            msg.attachments = self._attachments_from(body, uploads, msg.channel_id, msg.attachments, msg.files)
        if isinstance(body.get("flags"), int):
            keep = MSG_FLAG_EPHEMERAL | MSG_FLAG_IS_COMPONENTS_V2
            msg.flags = (msg.flags & keep) | (body["flags"] & MSG_FLAG_SUPPRESS_EMBEDS)
        if not (msg.content.strip() or msg.embeds or msg.components or msg.attachments):
            raise _DiscordError(400, 50006, "Cannot send an empty message")
        msg.edited = True
        msg.edited_timestamp = _iso(self._now())
        msg.flags &= ~MSG_FLAG_LOADING
