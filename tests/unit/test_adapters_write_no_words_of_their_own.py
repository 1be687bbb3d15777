"""Adapters translate and render; the words a member reads are the core's (bot/wording.py).

Read from the source: no adapter holds a sentence in a string literal, nor labels a button, a form or a command in words
of its own. Log messages, exception messages for operators, docstrings and what a platform's protocol or an operator
reads are left alone; the few module constants that are not member-facing are listed with their reason."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# A sentence: a capitalised word, at least two more words after it, the last ending in a full stop, a question or
# an exclamation mark that ends the text or is followed by a space or a closing mark; the bot's name starts one too.
# "Done.", "Round 42 · hint and feedback" and "e.g. mon-fri" are not sentences; "Saved, but late." is.
SENTENCE = re.compile(r"(?<![\w/.:`-])(?:[A-Z][a-z']*|prepbot),?(?:\s+\S+){2,}?[.!?](?=[\s\"'`)*_]|$)")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
LOGGERS = {"log", "logger", "logging"}
# Keyword arguments that a platform shows a member as a label: a button's, a form's title, a command's description.
LABELS = {"label", "title", "description", "placeholder", "content"}
# Calls whose first argument is text a member reads: a message sent, a notice, a Block Kit text, header or context.
TEXT_TAKERS = {"send", "send_message", "Notice", "_plain", "header", "context", "sections"}
# What adapters write in sentences that no member reads, by module and top-level name (a constant or a function):
# (path, name) -> why.
NOT_MEMBER_FACING = {
    ("adapters/judge/openai.py", "SYSTEM_PROMPT"): "the AI judge's instructions: the model reads them",
    ("adapters/judge/openai.py", "reply_schema"): "the schema of the AI judge's reply: the model reads it",
}
PLACEHOLDER = "{}"


@dataclass(frozen=True)
class Found:
    """A string literal (an f-string with its values as {}) at a line of a file."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def literal_text(node: ast.expr) -> str | None:
    """The text of a string literal, an f-string's with each value as {}; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else PLACEHOLDER
                       for part in node.values)
    return None


def _is_log_call(node: ast.AST) -> bool:
    """`log.warning(...)`, `logger.info(...)`, `logging.error(...)` and the like."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS
            and isinstance(node.func.value, ast.Name) and node.func.value.id in LOGGERS)


def _docstrings(tree: ast.Module) -> set[int]:
    nodes: list[ast.AST] = [tree, *ast.walk(tree)]
    return {id(node.body[0].value) for node in nodes
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr) and literal_text(node.body[0].value) is not None}


def _exempt(tree: ast.Module, path: str) -> set[int]:
    """The nodes whose strings no member reads: docstrings and strings standing alone as statements (comments for
    readers of the code), everything inside a log call or a `raise`, module constants a log call names, and the
    constants and functions listed as not member-facing."""
    exempt = _docstrings(tree)
    logged: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and literal_text(node.value) is not None:
            exempt.add(id(node.value))
        if _is_log_call(node) or isinstance(node, ast.Raise):
            inside = list(ast.walk(node))
            exempt |= {id(child) for child in inside}
            logged |= {child.id for child in inside if isinstance(child, ast.Name)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in logged or (path, name) in NOT_MEMBER_FACING:
                exempt |= {id(child) for child in ast.walk(node.value)}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (path, node.name) in NOT_MEMBER_FACING:
            exempt |= {id(child) for child in ast.walk(node)}
    return exempt


def strings(source: str, path: str) -> Iterator[tuple[ast.expr, str]]:
    """Each string literal of `source` a member might read, outermost f-strings whole, with its text."""
    tree = ast.parse(source)
    exempt = _exempt(tree, path)
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner |= {id(part) for part in node.values}
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            inner |= {id(child) for child in ast.walk(node.format_spec)}
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and id(node) not in exempt and id(node) not in inner:
            text = literal_text(node)
            if text is not None:
                yield node, text


def sentences(source: str, path: str = "<source>") -> list[Found]:
    """The string literals of `source` that hold a sentence a member might read."""
    found = [Found(path, node.lineno, text) for node, text in strings(source, path) if SENTENCE.search(text)]
    return sorted(found, key=lambda item: item.line)


def _texts(node: ast.expr) -> list[ast.expr]:
    """The literals a value is made of: itself, or each branch of `a if ... else b`."""
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    return [node] if literal_text(node) is not None else []


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _label_values(node: ast.AST) -> list[ast.expr]:
    """What `node` gives a platform to show as a label or a message, where it does."""
    if isinstance(node, ast.Call):
        called = _called(node)
        values = [keyword.value for keyword in node.keywords
                  if keyword.arg in LABELS or (called == "describe" and keyword.arg is not None)]
        if called == "Choice":  # a choice's name is a label when it is not the word the command takes
            values += [keyword.value for keyword in node.keywords if keyword.arg == "name"
                       and re.search(r"[A-Z ]", literal_text(keyword.value) or "")]
        if called in TEXT_TAKERS and node.args:
            values.append(node.args[0])
        return values
    if isinstance(node, ast.Dict):
        fields = {key.value: value for key, value in zip(node.keys, node.values)
                  if isinstance(key, ast.Constant) and isinstance(key.value, str)}
        kind = fields.get("type")
        if isinstance(kind, ast.Constant) and kind.value in ("plain_text", "mrkdwn") and "text" in fields:
            return [fields["text"]]
    return []


def own_labels(source: str, path: str = "<source>") -> list[Found]:
    """Words of the adapter's own that a platform shows a member, sentence or not: a literal with letters given as
    `label=`, `title=`, `description=`, `placeholder=` or `content=`, as an option's description or a choice's name,
    as the text of a message sent or of a notice, or as the text of a Block Kit object."""
    tree = ast.parse(source)
    exempt = _exempt(tree, path)
    found = []
    for node in ast.walk(tree):
        for value in _label_values(node):
            for literal in _texts(value):
                text = literal_text(literal) or ""
                if id(literal) not in exempt and re.search(r"[A-Za-z]{2}", text):
                    found.append(Found(path, literal.lineno, text))
    return sorted(found, key=lambda item: item.line)


def adapter_sources() -> Iterator[tuple[str, str]]:
    for file in sorted((REPO / "adapters").rglob("*.py")):
        yield file.relative_to(REPO).as_posix(), file.read_text(encoding="utf-8")


def test_no_adapter_holds_a_sentence_a_member_reads() -> None:
    found = [str(item) for path, source in adapter_sources() for item in sentences(source, path)]
    assert found == [], "move these words to bot/wording.py and render them:\n" + "\n".join(found)


def test_no_adapter_labels_a_button_a_form_or_a_command_in_words_of_its_own() -> None:
    found = [str(item) for path, source in adapter_sources() for item in own_labels(source, path)]
    assert found == [], "take these labels from bot/wording.py:\n" + "\n".join(found)


def test_every_constant_said_not_to_be_member_facing_is_still_there() -> None:
    sources = dict(adapter_sources())
    for path, name in NOT_MEMBER_FACING:
        assert re.search(rf"^(?:{name} = |def {name}\()", sources[path], re.MULTILINE), f"{path} has no {name}"


def test_a_sentence_is_found_in_a_literal_an_f_string_and_a_notice_and_each_is_named_by_its_line() -> None:
    source = (
        'a = Notice("Your answer is saved.")\n'
        'b = f"Not counted as an answer: {reason}."\n'
        'c = ("There is more than fits here: "\n'
        '     "`/prep stats` shows your stats.")\n'
        'd = "⏰ Saved, but it came after the deadline: it scores nothing."\n'
        'e = f"It is {now} now."\n'
        'f = "Voting is closed: your vote was not counted!"\n'
    )
    assert [(item.line, item.text) for item in sentences(source)] == [
        (1, "Your answer is saved."),
        (2, "Not counted as an answer: {}."),
        (3, "There is more than fits here: `/prep stats` shows your stats."),
        (5, "⏰ Saved, but it came after the deadline: it scores nothing."),
        (6, "It is {} now."),
        (7, "Voting is closed: your vote was not counted!"),
    ]


def test_log_lines_exceptions_docstrings_and_protocol_strings_are_not_sentences_for_members() -> None:
    source = (
        '"""The module. It does things."""\n'
        'HELP = "Discord did not grant the intent. It keeps running."\n'
        'def f() -> None:\n'
        '    """What f does. Really."""\n'
        '    log.warning("Could not post the board here: %s.", error)\n'
        '    logger.info(f"Started the thread of {round_id} again.")\n'
        '    log.error(HELP)\n'
        '    raise ValueError("An empty board has no chart.")\n'
        '    raise SettingsError(f"Slack over HTTP needs {name}.") from None\n'
        'x = "Done."\n'
        'y = "Round 42 · hint and feedback"\n'
        'z = "/prep-admin subscribe time:09:30 timezone:Europe/Berlin"\n'
        'v = "e.g. mon-fri or mon,wed,fri"\n'
        'w = "application/json; charset=utf-8"\n'
        '"A note for readers of the code. It says why."\n'
    )
    assert sentences(source) == []


def test_a_label_in_the_adapters_own_words_is_found_and_one_from_the_core_is_not() -> None:
    source = (
        'button = Button(label="Answer", custom_id="prep:answer")\n'
        'form = Modal(title=YOUR_PRIVATE_ANSWER if private else YOUR_ANSWER, custom_id="prep:modal:1")\n'
        'box = TextInput(label="Answer (only you)" if private else ANSWER_FIELD)\n'
        'command = Command(name="pause", description="Pause the daily question")\n'
        'block = {"type": "plain_text", "text": "Answer privately", "emoji": True}\n'
        'words = {"type": "mrkdwn", "text": mrkdwn(text)}\n'
        'check = {"type": "plain_text", "text": "✅"}\n'
        'await interaction.followup.send("Done.", ephemeral=True)\n'
        'await interaction.followup.send(_content(done_notice()), ephemeral=True)\n'
        'modal = {"close": _plain("Close"), "submit": _plain(wording.SAVE_ANSWER)}\n'
        'described = app_commands.describe(level="The level")\n'
        'choices = [Choice(name="on", value="on"), Choice(name="This week", value="week")]\n'
        'notice = Notice(f"{text}", NoticeKind.ERROR)\n'
    )
    assert [(item.line, item.text) for item in own_labels(source)] == [
        (1, "Answer"), (3, "Answer (only you)"), (4, "Pause the daily question"), (5, "Answer privately"),
        (8, "Done."), (10, "Close"), (11, "The level"), (12, "This week"),
    ]


def test_the_bots_name_starts_a_sentence() -> None:
    assert [item.text for item in sentences('x = "prepbot works in a server\'s channels."\n')] == [
        "prepbot works in a server's channels."]


def test_the_scan_reads_every_adapter() -> None:
    paths = {path for path, _ in adapter_sources()}
    assert {"adapters/chart.py", "adapters/console/session.py", "adapters/console/chat.py",
            "adapters/discord/client.py", "adapters/discord/chat.py", "adapters/slack/render.py",
            "adapters/slack/app.py"} <= paths
