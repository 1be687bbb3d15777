"""Discord's documented limits on messages, embeds, components and modals, as form-body problems."""

from __future__ import annotations

from typing import Any, Iterable

from tests.fakes.discord.errors import _Problem
from tests.fakes.discord.protocol import MSG_FLAG_IS_COMPONENTS_V2


MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER_TEXT = 2048
MAX_AUTHOR_NAME = 256
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_OPTIONS = 25
MAX_SELECT_PLACEHOLDER = 150
MAX_V2_COMPONENTS = 40
MAX_MODAL_TITLE = 45
MAX_MODAL_COMPONENTS = 5
MAX_TEXT_INPUT_LABEL = 45
MAX_TEXT_INPUT_VALUE = 4000

MAX_THREAD_NAME = 100
THREAD_ARCHIVE_DURATIONS = frozenset({60, 1440, 4320, 10080})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _too_long(path: tuple[Any, ...], limit: int) -> _Problem:
    return _Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _text_limit(value: Any, path: tuple[Any, ...], limit: int, *, required: bool = False) -> list[_Problem]:
    if value is None or value == "":
        return [_Problem(path, "BASE_TYPE_REQUIRED", "This field is required")] if required else []
    if not isinstance(value, str):
        return [_Problem(path, "BASE_TYPE_STRING", "Must be a string.")]
    return [_too_long(path, limit)] if len(value) > limit else []


def embed_problems(embeds: Any, base: tuple[Any, ...] = ("embeds",)) -> list[_Problem]:
    """Discord's documented embed limits, including 6000 characters across all embeds of a message."""
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [_Problem(base, "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    if len(embeds) > MAX_EMBEDS:
        problems.append(_too_long(base, MAX_EMBEDS))
    total = 0
    for i, embed in enumerate(embeds):
        at = base + (i,)
        if not isinstance(embed, dict):
            problems.append(_Problem(at, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
            continue
        for key, limit in (("title", MAX_EMBED_TITLE), ("description", MAX_EMBED_DESCRIPTION)):
            problems += _text_limit(embed.get(key), at + (key,), limit)
            total += len(embed.get(key) or "") if isinstance(embed.get(key), str) else 0
        fields = embed.get("fields")
        if fields is not None:
            if not isinstance(fields, list):
                problems.append(_Problem(at + ("fields",), "BASE_TYPE_ARRAY", "Must be an array."))
                fields = []
            if len(fields) > MAX_EMBED_FIELDS:
                problems.append(_too_long(at + ("fields",), MAX_EMBED_FIELDS))
            for j, f in enumerate(fields):
                fat = at + ("fields", j)
                if not isinstance(f, dict):
                    problems.append(_Problem(fat, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
                    continue
                problems += _text_limit(f.get("name"), fat + ("name",), MAX_FIELD_NAME, required=True)
                problems += _text_limit(f.get("value"), fat + ("value",), MAX_FIELD_VALUE, required=True)
                total += sum(len(v) for v in (f.get("name"), f.get("value")) if isinstance(v, str))
        for key, sub, limit in (("footer", "text", MAX_FOOTER_TEXT), ("author", "name", MAX_AUTHOR_NAME)):
            part = embed.get(key)
            if part is None:
                continue
            if not isinstance(part, dict):
                problems.append(_Problem(at + (key,), "MODEL_TYPE_CONVERT", "Only dictionaries may be used"))
                continue
            problems += _text_limit(part.get(sub), at + (key, sub), limit, required=True)
            text = part.get(sub)
            total += len(text) if isinstance(text, str) else 0
    if total > MAX_EMBED_TOTAL:
        problems.append(
            _Problem(base, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}")
        )
    return problems


def _walk_components(components: Any, path: tuple[Any, ...]) -> Iterable[tuple[dict[str, Any], tuple[Any, ...]]]:
    if not isinstance(components, list):
        return
    for i, c in enumerate(components):
        if not isinstance(c, dict):
            continue
        at = path + (i,)
        yield c, at
        if isinstance(c.get("components"), list):
            yield from _walk_components(c["components"], at + ("components",))
        if isinstance(c.get("component"), dict):
            yield c["component"], at + ("component",)
        if isinstance(c.get("accessory"), dict):
            yield c["accessory"], at + ("accessory",)


def _interactive_problems(c: dict[str, Any], at: tuple[Any, ...], *, in_modal: bool = False) -> list[_Problem]:
    """Checks for one button, select menu or text input."""
    problems: list[_Problem] = []
    kind = c.get("type")
    if kind == 2:
        style = c.get("style")
        if style not in (1, 2, 3, 4, 5, 6):
            problems.append(_Problem(at + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}."))
        if style == 5:
            if not c.get("url"):
                problems.append(_Problem(at + ("url",), "BASE_TYPE_REQUIRED", "This field is required"))
            if c.get("custom_id"):
                problems.append(_Problem(at + ("custom_id",), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                                         "A link button cannot have a custom_id"))
        elif style == 6:
            if not c.get("sku_id"):
                problems.append(_Problem(at + ("sku_id",), "BASE_TYPE_REQUIRED", "This field is required"))
        else:
            problems += _text_limit(c.get("custom_id"), at + ("custom_id",), MAX_CUSTOM_ID, required=True)
        if style != 6 and not c.get("label") and not c.get("emoji"):
            problems.append(_Problem(at, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A label or emoji is required"))
        problems += _text_limit(c.get("label"), at + ("label",), MAX_BUTTON_LABEL)
    elif kind in (3, 5, 6, 7, 8):
        problems += _text_limit(c.get("custom_id"), at + ("custom_id",), MAX_CUSTOM_ID, required=True)
        problems += _text_limit(c.get("placeholder"), at + ("placeholder",), MAX_SELECT_PLACEHOLDER)
        if kind == 3:
            options = c.get("options")
            if not isinstance(options, list) or not options:
                problems.append(_Problem(at + ("options",), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
            else:
                if len(options) > MAX_SELECT_OPTIONS:
                    problems.append(_too_long(at + ("options",), MAX_SELECT_OPTIONS))
                for j, o in enumerate(options):
                    if isinstance(o, dict):
                        problems += _text_limit(o.get("label"), at + ("options", j, "label"), 100, required=True)
                        problems += _text_limit(o.get("value"), at + ("options", j, "value"), 100, required=True)
                        problems += _text_limit(o.get("description"), at + ("options", j, "description"), 100)
        for key, low in (("min_values", 0), ("max_values", 1)):
            v = c.get(key)
            if v is not None and (not isinstance(v, int) or not low <= v <= MAX_SELECT_OPTIONS):
                problems.append(_Problem(at + (key,), "NUMBER_TYPE_MAX",
                                         f"Must be between {low} and {MAX_SELECT_OPTIONS}."))
    elif kind == 4:
        if not in_modal:
            problems.append(_Problem(at + ("type",), "COMPONENT_TYPE_INVALID",
                                     "Text inputs are only allowed in modals"))
        problems += _text_limit(c.get("custom_id"), at + ("custom_id",), MAX_CUSTOM_ID, required=True)
        if c.get("style") not in (1, 2):
            problems.append(_Problem(at + ("style",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}."))
        problems += _text_limit(c.get("placeholder"), at + ("placeholder",), 100)
        problems += _text_limit(c.get("value"), at + ("value",), MAX_TEXT_INPUT_VALUE)
        for key, low in (("min_length", 0), ("max_length", 1)):
            v = c.get(key)
            if v is not None and (not isinstance(v, int) or not low <= v <= MAX_TEXT_INPUT_VALUE):
                problems.append(_Problem(at + (key,), "NUMBER_TYPE_MAX",
                                         f"Must be between {low} and {MAX_TEXT_INPUT_VALUE}."))
    return problems


def _duplicate_custom_ids(components: Any, base: tuple[Any, ...]) -> list[_Problem]:
    seen: set[str] = set()
    problems = []
    for c, at in _walk_components(components, base):
        cid = c.get("custom_id")
        if isinstance(cid, str) and cid:
            if cid in seen:
                problems.append(_Problem(at + ("custom_id",), "COMPONENT_CUSTOM_ID_DUPLICATED",
                                         "Component custom id cannot be duplicated"))
            seen.add(cid)
    return problems


def component_problems(components: Any, flags: int = 0, base: tuple[Any, ...] = ("components",)) -> list[_Problem]:
    """Message components: ≤5 action rows of ≤5 buttons or one select; custom_id ≤100; v2 layouts ≤40 components."""
    if components is None:
        return []
    if not isinstance(components, list):
        return [_Problem(base, "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    if flags & MSG_FLAG_IS_COMPONENTS_V2:
        count = sum(1 for _ in _walk_components(components, base))
        if count > MAX_V2_COMPONENTS:
            problems.append(_too_long(base, MAX_V2_COMPONENTS))
        for c, at in _walk_components(components, base):
            problems += _interactive_problems(c, at)
    else:
        if len(components) > MAX_ACTION_ROWS:
            problems.append(_too_long(base, MAX_ACTION_ROWS))
        for i, row in enumerate(components):
            at = base + (i,)
            if not isinstance(row, dict) or row.get("type") != 1:
                problems.append(_Problem(at + ("type",), "UNION_TYPE_CHOICES",
                                         'Value of field "type" must be one of (1,).'))
                continue
            children = row.get("components")
            if not isinstance(children, list) or not children:
                problems.append(_Problem(at + ("components",), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
                continue
            buttons = [c for c in children if isinstance(c, dict) and c.get("type") == 2]
            selects = [c for c in children if isinstance(c, dict) and c.get("type") in (3, 5, 6, 7, 8)]
            if len(buttons) > MAX_BUTTONS_PER_ROW:
                problems.append(_too_long(at + ("components",), MAX_BUTTONS_PER_ROW))
            if selects and len(children) > 1:
                problems.append(_Problem(at + ("components",), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                         "The specified component exceeds the maximum width"))
            for j, c in enumerate(children):
                if not isinstance(c, dict):
                    continue
                if c.get("type") not in (2, 3, 4, 5, 6, 7, 8):
                    problems.append(_Problem(at + ("components", j, "type"), "COMPONENT_TYPE_INVALID",
                                             f"Component type {c.get('type')!r} is not allowed in an action row"))
                problems += _interactive_problems(c, at + ("components", j))
    return problems + _duplicate_custom_ids(components, base)


def message_problems(body: Any, base: tuple[Any, ...] = ()) -> list[_Problem]:
    """A message body within Discord's documented limits (emptiness is checked apart: see message_is_empty)."""
    if not isinstance(body, dict):
        return [_Problem(base, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")]
    problems: list[_Problem] = []
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(_Problem(base + ("content",), "BASE_TYPE_STRING", "Must be a string."))
    elif isinstance(content, str) and len(content) > MAX_CONTENT:
        problems.append(_too_long(base + ("content",), MAX_CONTENT))
    problems += embed_problems(body.get("embeds"), base + ("embeds",))
    flags: int = body["flags"] if isinstance(body.get("flags"), int) else 0
    problems += component_problems(body.get("components"), flags, base + ("components",))
    if flags & MSG_FLAG_IS_COMPONENTS_V2 and (body.get("content") or body.get("embeds")):
        problems.append(_Problem(base + ("content",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                                 "The 'content' and 'embeds' fields cannot be used when using "
                                 "MessageFlags.IS_COMPONENTS_V2"))
    return problems


def message_is_empty(body: dict[str, Any], has_files: bool) -> bool:
    return not (
        (isinstance(body.get("content"), str) and body["content"].strip())
        or body.get("embeds") or body.get("components") or body.get("sticker_ids") or body.get("poll")
        or has_files or body.get("attachments")
    )


def modal_problems(data: Any, base: tuple[Any, ...] = ("data",)) -> list[_Problem]:
    """A modal (callback type 9): title ≤45, 1–5 rows of one text input (label ≤45) or label components."""
    if not isinstance(data, dict):
        return [_Problem(base, "BASE_TYPE_REQUIRED", "This field is required")]
    problems = _text_limit(data.get("custom_id"), base + ("custom_id",), MAX_CUSTOM_ID, required=True)
    problems += _text_limit(data.get("title"), base + ("title",), MAX_MODAL_TITLE, required=True)
    components = data.get("components")
    if not isinstance(components, list) or not components:
        return problems + [_Problem(base + ("components",), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")]
    if len(components) > MAX_MODAL_COMPONENTS:
        problems.append(_too_long(base + ("components",), MAX_MODAL_COMPONENTS))
    for i, c in enumerate(components):
        at = base + ("components", i)
        if not isinstance(c, dict):
            continue
        kind = c.get("type")
        if kind == 1:
            inner = c.get("components")
            if not isinstance(inner, list) or len(inner) != 1 or not isinstance(inner[0], dict):
                problems.append(_Problem(at + ("components",), "BASE_TYPE_BAD_LENGTH", "Must be 1 in length."))
                continue
            ti = inner[0]
            if ti.get("type") != 4:
                problems.append(_Problem(at + ("components", 0, "type"), "COMPONENT_TYPE_INVALID",
                                         "Only text inputs may be used in a modal action row"))
            problems += _text_limit(ti.get("label"), at + ("components", 0, "label"), MAX_TEXT_INPUT_LABEL,
                                    required=True)
            problems += _interactive_problems(ti, at + ("components", 0), in_modal=True)
        elif kind == 18:
            problems += _text_limit(c.get("label"), at + ("label",), MAX_TEXT_INPUT_LABEL, required=True)
            problems += _text_limit(c.get("description"), at + ("description",), 100)
            inner_c = c.get("component")
            if not isinstance(inner_c, dict):
                problems.append(_Problem(at + ("component",), "BASE_TYPE_REQUIRED", "This field is required"))
            else:
                if inner_c.get("type") == 4 and inner_c.get("label"):
                    problems.append(_Problem(at + ("component", "label"), "COMPONENT_FIELD_NOT_ALLOWED",
                                             "A text input inside a label component cannot have its own label"))
                problems += _interactive_problems(inner_c, at + ("component",), in_modal=True)
        elif kind == 10:
            problems += _text_limit(c.get("content"), at + ("content",), 4000, required=True)
        else:
            problems.append(_Problem(at + ("type",), "COMPONENT_TYPE_INVALID",
                                     f"Component type {kind!r} is not allowed in a modal"))
    return problems + _duplicate_custom_ids(components, base + ("components",))
