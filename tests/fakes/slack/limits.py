"""Slack's documented limits on messages, Block Kit blocks and message metadata, as readable problems."""

from __future__ import annotations

import re
from typing import Any


KNOWN_BLOCK_TYPES = frozenset({"section", "header", "context", "divider", "actions", "rich_text", "image", "input"})

MAX_BLOCKS = 50
MAX_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255
MAX_VIEW_BLOCKS = 100  # a modal's or Home tab's view
MAX_PRIVATE_METADATA = 3000
MAX_HISTORY_LIMIT = 1000  # conversations.history / conversations.replies `limit`
EVENT_TYPE = re.compile(r"^[a-z0-9_]+$")  # message metadata event types are snake_case
SOCKET_ACK_DEADLINE = 3.0  # seconds Slack waits for a Socket Mode ack before retrying


def _text_object(obj: Any, where: str, max_len: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where} must be a text object, got {type(obj).__name__}"]
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    problems = []
    if obj.get("type") not in allowed:
        problems.append(f"{where}.type is {obj.get('type')!r}, expected {' or '.join(allowed)}")
    text = obj.get("text")
    if not isinstance(text, str) or text == "":
        problems.append(f"{where}.text is missing or empty")
    elif len(text) > max_len:
        problems.append(f"{where}.text is {len(text)} characters (max {max_len})")
    return problems


def block_problems(blocks: Any, where: str = "blocks", max_blocks: int = MAX_BLOCKS) -> list[str]:
    """Slack's Block Kit limits for message blocks (for a view's, with `max_blocks` 100), as readable problems
    (empty when fine)."""
    if not isinstance(blocks, list):
        return [f"{where} must be a JSON array of blocks, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{where} has {len(blocks)} blocks (max {max_blocks})")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}[{i}]"
        if not isinstance(block, dict):
            problems.append(f"{at} must be an object")
            continue
        kind = block.get("type")
        if kind not in KNOWN_BLOCK_TYPES:
            problems.append(f"{at} has unknown block type {kind!r}")
            continue
        at = f"{at} ({kind})"
        if "block_id" in block:
            bid = block["block_id"]
            if not isinstance(bid, str) or not bid:
                problems.append(f"{at}.block_id must be a non-empty string")
            else:
                if len(bid) > MAX_BLOCK_ID:
                    problems.append(f"{at}.block_id is {len(bid)} characters (max {MAX_BLOCK_ID})")
                if bid in seen_ids:
                    problems.append(f"{at}.block_id {bid!r} is used twice in one message")
                seen_ids.add(bid)
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{at} needs text or fields")
            if "text" in block:
                problems += _text_object(block["text"], f"{at}.text", MAX_SECTION_TEXT)
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list) or not fields:
                    problems.append(f"{at}.fields must be a non-empty array")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        problems.append(f"{at}.fields has {len(fields)} items (max {MAX_SECTION_FIELDS})")
                    for j, f in enumerate(fields):
                        problems += _text_object(f, f"{at}.fields[{j}]", MAX_FIELD_TEXT)
        elif kind == "header":
            problems += _text_object(block.get("text"), f"{at}.text", MAX_HEADER_TEXT, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(f"{at}.elements must be a non-empty array")
            else:
                if len(elements) > MAX_CONTEXT_ELEMENTS:
                    problems.append(f"{at}.elements has {len(elements)} items (max {MAX_CONTEXT_ELEMENTS})")
                for j, el in enumerate(elements):
                    if isinstance(el, dict) and el.get("type") == "image":
                        if not (el.get("image_url") or el.get("slack_file")) or not el.get("alt_text"):
                            problems.append(f"{at}.elements[{j}] image needs image_url and alt_text")
                    else:
                        problems += _text_object(el, f"{at}.elements[{j}]", MAX_TEXT)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(f"{at}.elements must be a non-empty array")
            elif len(elements) > MAX_ACTIONS_ELEMENTS:
                problems.append(f"{at}.elements has {len(elements)} items (max {MAX_ACTIONS_ELEMENTS})")
            else:
                for j, el in enumerate(elements):
                    if not isinstance(el, dict) or not el.get("type"):
                        problems.append(f"{at}.elements[{j}] must be an element object with a type")
        elif kind == "image":
            if not (block.get("image_url") or block.get("slack_file")):
                problems.append(f"{at} needs image_url or slack_file")
            alt = block.get("alt_text")
            if not isinstance(alt, str) or not alt:
                problems.append(f"{at}.alt_text is missing")
            elif len(alt) > 2000:
                problems.append(f"{at}.alt_text is {len(alt)} characters (max 2000)")
            if "title" in block:
                problems += _text_object(block["title"], f"{at}.title", 2000, plain_only=True)
        elif kind == "rich_text":
            if not isinstance(block.get("elements"), list):
                problems.append(f"{at}.elements must be an array")
        elif kind == "input":
            problems += _text_object(block.get("label"), f"{at}.label", 2000, plain_only=True)
            if not isinstance(block.get("element"), dict):
                problems.append(f"{at}.element is missing")
    return problems


def message_problems(args: dict[str, Any]) -> list[str]:
    """A message needs text or blocks; text at most 40,000 characters; blocks within Block Kit limits."""
    problems: list[str] = []
    text = args.get("text")
    blocks = args.get("blocks")
    has_text = isinstance(text, str) and text.strip() != ""
    has_blocks = blocks not in (None, "", [])
    if not has_text and not has_blocks:
        problems.append("a message needs `text` or `blocks`")
    if text is not None and not isinstance(text, str):
        problems.append(f"`text` must be a string, got {type(text).__name__}")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        problems.append(f"`text` is {len(text)} characters (max {MAX_TEXT})")
    if blocks not in (None, ""):
        problems += block_problems(blocks)
    if "metadata" in args:
        problems += metadata_problems(args["metadata"])
    return problems


def view_problems(view: Any, *, home: bool) -> list[str]:
    """A view object (https://api.slack.com/reference/surfaces/views): a `home` view for views.publish, with at
    most 100 blocks within Block Kit's limits."""
    if not isinstance(view, dict):
        return [f"`view` must be a JSON object, got {type(view).__name__}"]
    problems = []
    if home and view.get("type") != "home":
        problems.append(f"view.type is {view.get('type')!r}; views.publish takes a `home` view")
    problems += block_problems(view.get("blocks"), "view.blocks", MAX_VIEW_BLOCKS)
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(f"view.private_metadata is {len(metadata)} characters (max {MAX_PRIVATE_METADATA})")
    unknown = sorted(set(view) - {"type", "blocks", "private_metadata", "callback_id", "external_id"})
    if unknown:
        problems.append(f"view has unknown field(s) {', '.join(unknown)}")
    return problems


def metadata_problems(metadata: Any) -> list[str]:
    """Message metadata is an object with a snake_case `event_type` and an `event_payload` object."""
    if metadata is None:
        return []
    if not isinstance(metadata, dict):
        return [f"`metadata` must be a JSON object, got {type(metadata).__name__}"]
    problems = []
    event_type = metadata.get("event_type")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        problems.append(f"metadata.event_type must be a snake_case string, got {event_type!r}")
    if not isinstance(metadata.get("event_payload"), dict):
        problems.append("metadata.event_payload must be a JSON object")
    unknown = sorted(set(metadata) - {"event_type", "event_payload"})
    if unknown:
        problems.append(f"metadata has unknown field(s) {', '.join(unknown)}")
    return problems
