"""Discord's documented limits on application commands: names, options, choices and total size."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.discord.errors import _Problem
from tests.fakes.discord.limits import _too_long
from tests.fakes.discord.protocol import OPTION_TYPES


MAX_COMMAND_NAME = 32
MAX_COMMAND_DESCRIPTION = 100
MAX_COMMAND_OPTIONS = 25
MAX_COMMAND_CHOICES = 25
MAX_COMMAND_TOTAL = 4000
MAX_CHAT_INPUT_COMMANDS = 100

COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")


def _command_size(node: Any) -> int:
    if isinstance(node, dict):
        total = sum(len(v) for v in (node.get("name"), node.get("description")) if isinstance(v, str))
        for choice in node.get("choices") or []:
            if isinstance(choice, dict):
                total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
        return total + sum(_command_size(o) for o in node.get("options") or [])
    return 0


def _name_problems(name: Any, at: tuple[Any, ...], *, chat_input: bool) -> list[_Problem]:
    if not isinstance(name, str) or not name:
        return [_Problem(at, "BASE_TYPE_REQUIRED", "This field is required")]
    if len(name) > MAX_COMMAND_NAME:
        return [_Problem(at, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_COMMAND_NAME} in length.")]
    if chat_input and (not COMMAND_NAME_RE.match(name) or name != name.lower()):
        return [_Problem(at, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")]
    return []


def _option_problems(options: Any, at: tuple[Any, ...], level: int) -> list[_Problem]:
    """level 0: command options; 1: inside a subcommand group; 2: inside a subcommand."""
    if options is None:
        return []
    if not isinstance(options, list):
        return [_Problem(at, "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    if len(options) > MAX_COMMAND_OPTIONS:
        problems.append(_too_long(at, MAX_COMMAND_OPTIONS))
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") for o in options if isinstance(o, dict)}
    if kinds & {1, 2} and kinds - {1, 2}:
        problems.append(_Problem(at, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                 "Sub-command and sub-command group option types are mutually exclusive to all "
                                 "other types"))
    for j, o in enumerate(options):
        oat = at + (j,)
        if not isinstance(o, dict):
            problems.append(_Problem(oat, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
            continue
        kind = o.get("type")
        if kind not in OPTION_TYPES:
            problems.append(_Problem(oat + ("type",), "BASE_TYPE_CHOICES", "Value must be one of 1..11."))
            continue
        problems += _name_problems(o.get("name"), oat + ("name",), chat_input=True)
        if o.get("name") in names:
            problems.append(_Problem(oat + ("name",), "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
                                     "Option names must be unique"))
        names.add(str(o.get("name")))
        desc = o.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= MAX_COMMAND_DESCRIPTION:
            problems.append(_Problem(oat + ("description",), "BASE_TYPE_BAD_LENGTH",
                                     f"Must be between 1 and {MAX_COMMAND_DESCRIPTION} in length."))
        if kind == 2:
            if level != 0:
                problems.append(_Problem(oat + ("type",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "Sub-command groups can only be nested in a command"))
            sub = o.get("options") or []
            if any(isinstance(s, dict) and s.get("type") != 1 for s in sub):
                problems.append(_Problem(oat + ("options",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "A sub-command group may only contain sub-commands"))
            problems += _option_problems(sub, oat + ("options",), 1)
        elif kind == 1:
            if level == 2:
                problems.append(_Problem(oat + ("type",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "Sub-commands cannot be nested in sub-commands"))
            problems += _option_problems(o.get("options"), oat + ("options",), 2)
        else:
            if level == 1:
                problems.append(_Problem(oat + ("type",), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                         "A sub-command group may only contain sub-commands"))
            if o.get("required"):
                if seen_optional:
                    problems.append(_Problem(oat + ("required",), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                             "Required options must be placed before non-required options"))
            else:
                seen_optional = True
            choices = o.get("choices")
            if choices:
                if kind not in (3, 4, 10):
                    problems.append(_Problem(oat + ("choices",), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                                             "Choices are only allowed for string, integer and number options"))
                if o.get("autocomplete"):
                    problems.append(_Problem(oat + ("autocomplete",), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                                             "Autocomplete cannot be used with choices"))
                if len(choices) > MAX_COMMAND_CHOICES:
                    problems.append(_too_long(oat + ("choices",), MAX_COMMAND_CHOICES))
                for k, ch in enumerate(choices):
                    cat = oat + ("choices", k)
                    if not isinstance(ch, dict):
                        continue
                    cname = ch.get("name")
                    if not isinstance(cname, str) or not 1 <= len(cname) <= 100:
                        problems.append(_Problem(cat + ("name",), "BASE_TYPE_BAD_LENGTH",
                                                 "Must be between 1 and 100 in length."))
                    value = ch.get("value")
                    if kind == 3 and (not isinstance(value, str) or len(value) > 100):
                        problems.append(_Problem(cat + ("value",), "BASE_TYPE_MAX_LENGTH",
                                                 "Must be a string of 100 or fewer in length."))
                    if kind == 4 and (not isinstance(value, int) or isinstance(value, bool)):
                        problems.append(_Problem(cat + ("value",), "NUMBER_TYPE_COERCE", "Must be an integer."))
                    if kind == 10 and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                        problems.append(_Problem(cat + ("value",), "NUMBER_TYPE_COERCE", "Must be a number."))
            if kind not in (4, 10) and ("min_value" in o or "max_value" in o):
                problems.append(_Problem(oat, "APPLICATION_COMMAND_OPTION_INVALID",
                                         "min_value/max_value are only allowed for integer and number options"))
            if kind != 3 and ("min_length" in o or "max_length" in o):
                problems.append(_Problem(oat, "APPLICATION_COMMAND_OPTION_INVALID",
                                         "min_length/max_length are only allowed for string options"))
    return problems


def command_problems(commands: Any) -> list[_Problem]:
    """Application commands for a bulk overwrite: names, descriptions, options, choices, nesting, sizes."""
    if not isinstance(commands, list):
        return [_Problem((), "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[_Problem] = []
    seen: set[tuple[int, str]] = set()
    chat_inputs = 0
    for i, cmd in enumerate(commands):
        at: tuple[Any, ...] = (i,)
        if not isinstance(cmd, dict):
            problems.append(_Problem(at, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
            continue
        kind = cmd.get("type", 1) or 1
        if kind not in (1, 2, 3, 4):
            problems.append(_Problem(at + ("type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}."))
            continue
        chat_inputs += kind == 1
        name = cmd.get("name")
        problems += _name_problems(name, at + ("name",), chat_input=kind == 1)
        if (kind, name) in seen:
            problems.append(_Problem(at + ("name",), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                     f"Application command names must be unique (duplicate {name!r})"))
        seen.add((kind, str(name)))
        desc = cmd.get("description")
        if kind == 1:
            if not isinstance(desc, str) or not 1 <= len(desc) <= MAX_COMMAND_DESCRIPTION:
                problems.append(_Problem(at + ("description",), "BASE_TYPE_BAD_LENGTH",
                                         f"Must be between 1 and {MAX_COMMAND_DESCRIPTION} in length."))
            problems += _option_problems(cmd.get("options"), at + ("options",), 0)
        else:
            if desc:
                problems.append(_Problem(at + ("description",), "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                                         "User and message commands cannot have a description"))
            if cmd.get("options"):
                problems.append(_Problem(at + ("options",), "APPLICATION_COMMAND_INVALID_OPTIONS",
                                         "User and message commands cannot have options"))
        perms = cmd.get("default_member_permissions")
        # Discord documents a string, and accepts the integer discord.py sends as well.
        if perms is not None and not (isinstance(perms, int) or (isinstance(perms, str) and perms.isdigit())):
            problems.append(_Problem(at + ("default_member_permissions",), "BASE_TYPE_STRING",
                                     "Must be a string of a permission bit set."))
        if _command_size(cmd) > MAX_COMMAND_TOTAL:
            problems.append(_Problem(at, "APPLICATION_COMMAND_TOO_LARGE",
                                     f"Command exceeds maximum size ({MAX_COMMAND_TOTAL})"))
    if chat_inputs > MAX_CHAT_INPUT_COMMANDS:
        problems.append(_Problem((), "APPLICATION_COMMANDS_LIMIT_EXCEEDED",
                                 f"Maximum number of application commands reached ({MAX_CHAT_INPUT_COMMANDS})"))
    return problems
