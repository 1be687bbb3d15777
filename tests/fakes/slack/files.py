"""File uploads as Slack takes them: an upload URL, the bytes sent to it, then sharing the file in channels."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from tests.fakes.slack.call_context import _Ctx, _SlackError
from tests.fakes.slack.channels import SlackChannels
from tests.fakes.slack.model import Message, SharedFile, _Upload


class SlackFiles(SlackChannels):
    """files.getUploadURLExternal, the upload URL, and files.completeUploadExternal."""

    async def _files_get_upload_url_external(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        try:
            length = int(ctx.s("length"))
        except ValueError:
            raise _SlackError("invalid_arguments") from None
        filename = ctx.s("filename")
        if not filename or length <= 0:
            raise _SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):010X}"
        self._uploads[file_id] = _Upload(file_id, w.team_id, w.bot_user_id, filename, length)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _files_complete_upload_external(self, ctx: _Ctx) -> dict[str, Any]:
        w = ctx.w
        items = ctx.args.get("files")
        if not isinstance(items, list) or not items:
            raise _SlackError("invalid_arguments")
        uploads: list[tuple[_Upload, str]] = []
        for item in items:
            up = self._uploads.get(str(item.get("id"))) if isinstance(item, dict) else None
            if up is None or up.team_id != w.team_id or up.data is None:
                raise _SlackError("file_not_found")
            uploads.append((up, str(item.get("title") or up.filename)))
        targets = [c for c in ([ctx.s("channel_id")] + ctx.s("channels").split(",")) if c]
        channels = [self._resolve_channel(w, c) for c in targets]
        for ch in channels:
            self._check_postable(ch)
        comment = ctx.s("initial_comment") or None
        thread_ts = ctx.s("thread_ts") or None
        created = int(time.time())
        shared: list[SharedFile] = []
        for up, title in uploads:
            del self._uploads[up.file_id]
            f = SharedFile(up.file_id, w.team_id, w.bot_user_id, up.filename, title, up.data or b"",
                           [c.id for c in channels], comment, thread_ts, created)
            self.files.append(f)
            shared.append(f)
        for ch in channels:
            parent = self._thread_parent(ch, thread_ts, ctx.method)
            self.messages.setdefault(ch.id, []).append(
                Message(self._next_ts(), ch.id, w.bot_user_id, comment or "", None, parent, False, w.team_id,
                        files=[f.id for f in shared])
            )
        return {
            "ok": True,
            "files": [
                {
                    "id": f.id,
                    "created": f.created,
                    "timestamp": f.created,
                    "name": f.filename,
                    "title": f.title,
                    "mimetype": "",
                    "filetype": "",
                    "user": f.user,
                    "user_team": f.team_id,
                    "size": len(f.data),
                    "mode": "hosted",
                    "is_external": False,
                    "is_public": bool(f.channels),
                    "channels": list(f.channels),
                    "url_private": f"{self.url}/files/{f.id}",
                }
                for f in shared
            ],
        }

    async def _serve_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        up = self._uploads.get(file_id)
        if request.method != "POST":
            self._violation("upload", f"{request.method} to the upload URL; it takes POST")
            return web.Response(status=405, text="method not allowed", content_type="text/plain")
        if up is None:
            self._violation("upload", f"upload to unknown or used upload URL for {file_id}")
            return web.Response(status=404, text="not found", content_type="text/plain")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = next((v for v in form.values() if isinstance(v, web.FileField)), None)
            data = part.file.read() if part is not None else b""
        else:
            data = await request.read()
        if len(data) != up.length:
            self._violation(
                "upload", f"{file_id}: sent {len(data)} bytes but files.getUploadURLExternal said length={up.length}"
            )
        up.data = data
        return web.Response(status=200, text=f"OK - {len(data)}", content_type="text/plain")
