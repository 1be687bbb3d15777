"""Question sheets: a pack as a CSV table or a Markdown document that people edit, turned into a YAML pack and back.

A sheet is read into plain rows first, each remembering where it came from (`row 3` of a CSV file, `line 12` of a
Markdown file), so that every problem names the file, the place and the field. The pack made from it is then checked
with the same loader the bot uses (`bot.questions.load_pack`) before anything is written. questions/README.md
describes both formats.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.domain.questions import KeyPoint, Level, Question
from bot.questions import PackError, load_pack

SheetFormat = Literal["csv", "md"]
SHEET_FORMATS: tuple[SheetFormat, ...] = ("csv", "md")
CSV_COLUMNS = ("id", "level", "question", "hint", "model_answer", "key_points", "why")
_REQUIRED_COLUMNS = ("question", "hint", "key_points")
_PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SLUG_LENGTH = 48


class SheetError(ValueError):
    """A sheet cannot become a pack. The message names the file, the place (`row N` or `line N`, when known), the
    field and the problem, e.g. `team.csv: row 3: hint: is missing`."""

    def __init__(self, file: Path | str, where: str | None, field: str, problem: str) -> None:
        place = f"{file}" + (f": {where}" if where else "")
        super().__init__(f"{place}: {field}: {problem}")
        self.file = str(file)
        self.where = where
        self.field = field


@dataclass
class SheetQuestion:
    """One question as a sheet gives it, before ids are assigned and the pack is validated."""

    where: str
    level: Level
    question: str
    hint: str
    key_points: list[KeyPoint]
    id: str | None = None
    model_answer: str = ""


@dataclass
class Sheet:
    """What a sheet holds: its questions in order, and the pack's title when the sheet names one."""

    questions: list[SheetQuestion] = field(default_factory=list)
    title: str | None = None


# ---- shared pieces ----

def level_named(text: str) -> Level | None:
    """The level named by its value (`scenario`), an alias (`scenario-based`) or its label (`AI workflow and tools`)."""
    level = Level.parse(text)
    if level is not None:
        return level
    key = " ".join(text.split()).casefold()
    return next((candidate for candidate in Level if candidate.label.casefold() == key), None)


def _known_levels() -> str:
    return ", ".join(level.value for level in Level)


def _split_unescaped(text: str, separators: str) -> list[str]:
    """`text` cut at every separator not preceded by a backslash; escapes are kept for the next step."""
    pieces: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(char)
            current.append(next(chars, ""))
        elif char in separators:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL).strip()


def _escape(text: str, specials: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in specials:
        out = out.replace(char, "\\" + char)
    return out


def parse_key_point(text: str, file: Path, where: str, number: int) -> KeyPoint:
    """One key point written as `point: term | term`: the point, then after its last unescaped `:` the terms,
    separated by `|`. A backslash makes the next character plain (`\\:`, `\\|`, `\\;`, `\\\\`)."""
    name = f"key_points[{number}]"
    pieces = _split_unescaped(text, ":")
    if len(pieces) < 2:
        raise SheetError(file, where, name, f"'{text.strip()}' needs a ':' between the point and its terms "
                                            "(e.g. 'Rolls back fast: rollback | revert')")
    point = _unescape(":".join(pieces[:-1]))
    if not point:
        raise SheetError(file, where, f"{name}.point", "is empty (write the point before the ':')")
    terms = [_unescape(term) for term in _split_unescaped(pieces[-1], "|")]
    if not any(terms):
        raise SheetError(file, where, f"{name}.terms", f"none given for '{point}' (write them after the ':', "
                                                        "separated by '|')")
    if not all(terms):
        raise SheetError(file, where, f"{name}.terms", f"an empty term in '{text.strip()}' (two '|' in a row?)")
    return KeyPoint(point, tuple(terms))


def key_point_text(key_point: KeyPoint, term_separator: str = "|") -> str:
    """A key point as a sheet writes it: `point: term|term`, escaped so that it reads back the same."""
    terms = term_separator.join(_escape(term, ";|:") for term in key_point.terms)
    return f"{_escape(key_point.point, ';|')}: {terms}"


def slug(text: str) -> str:
    """A readable id made of `text`: lower-case ASCII words joined by dashes, at most 48 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > _SLUG_LENGTH:
            break
        out = candidate
    return out or (words[0][:_SLUG_LENGTH] if words else "question")


# ---- reading CSV ----

def _column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _rows(file: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, row
    except csv.Error as error:
        raise SheetError(file, None, "file", f"is not valid CSV ({error})") from None


def read_csv_sheet(file: Path, text: str, default_level: Level | None = None) -> Sheet:
    """The questions of a CSV sheet: a header row naming the columns, then one row per question.

    Raises SheetError on the first problem, naming the row as a spreadsheet numbers it (the header is row 1).
    """
    sheet = Sheet()
    header: list[str] | None = None
    for number, cells in _rows(file, text):
        where = f"row {number}"
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [_column(cell) for cell in cells]
            while header and not header[-1]:
                header.pop()  # spreadsheets often save empty columns after the last one
            for name in header:
                if name not in CSV_COLUMNS:
                    raise SheetError(file, where, "header", f"unknown column '{name}' (the columns are "
                                                            f"{', '.join(CSV_COLUMNS)})")
                if header.count(name) > 1:
                    raise SheetError(file, where, "header", f"the column '{name}' appears twice")
            for name in _REQUIRED_COLUMNS:
                if name not in header:
                    raise SheetError(file, where, "header", f"no '{name}' column (the columns are "
                                                            f"{', '.join(CSV_COLUMNS)}; id and level are optional)")
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            raise SheetError(file, where, "row", f"has {len(cells)} cells, the header names {len(header)}")
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        sheet.questions.append(_csv_question(file, where, row, default_level))
    return sheet


def _csv_question(file: Path, where: str, row: dict[str, str], default_level: Level | None) -> SheetQuestion:
    level = _level(file, where, row.get("level", ""), default_level)
    for name in ("question", "hint"):
        if not row[name]:
            raise SheetError(file, where, name, "is missing")
    if not row["key_points"]:
        raise SheetError(file, where, "key_points", "is missing (write 'point: term | term; point: term')")
    raw_points = [piece for piece in _split_unescaped(row["key_points"], ";\n") if piece.strip()]
    key_points = [parse_key_point(piece, file, where, n) for n, piece in enumerate(raw_points, start=1)]
    whys = [_unescape(piece) for piece in _split_unescaped(row.get("why", ""), ";")] if row.get("why") else []
    if len(whys) > len(key_points):
        raise SheetError(file, where, "why", f"has {len(whys)} lines for {len(key_points)} key points (one per key "
                                             "point, in order, separated by ';')")
    key_points = [replace(k, why=why) for k, why in zip(key_points, whys)] + key_points[len(whys):]
    return SheetQuestion(where, level, row["question"], row["hint"], key_points, row.get("id") or None,
                         row.get("model_answer", ""))


def _level(file: Path, where: str, text: str, default_level: Level | None) -> Level:
    if not text.strip():
        if default_level is None:
            raise SheetError(file, where, "level", f"is missing (name one of {_known_levels()}, or pass --level)")
        return default_level
    level = level_named(text)
    if level is None:
        raise SheetError(file, where, "level", f"'{text.strip()}' is not a known level ({_known_levels()})")
    return level


# ---- reading Markdown ----

_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_ID_LINE = re.compile(r"^id\s*:\s*(.*)$", re.IGNORECASE)
_HINT_LINE = re.compile(r"^hint\s*:\s*(.*)$", re.IGNORECASE)
_MODEL_ANSWER_LINE = re.compile(r"^model answer\s*:\s*(.*)$", re.IGNORECASE)
_WHY_LINE = re.compile(r"^why\s*:\s*(.*)$", re.IGNORECASE)
_BULLET = re.compile(r"^[-*+]\s+(.*)$")


@dataclass
class _Block:
    line: int
    level: Level | None
    question: list[str]
    section: str = "question"  # question | hint | model_answer | id | points
    id: str | None = None
    id_line: int = 0
    hint: list[str] | None = None
    hint_line: int = 0
    model_answer: list[str] | None = None
    model_answer_line: int = 0
    key_points: list[KeyPoint] = field(default_factory=list)


def _joined(lines: Sequence[str]) -> str:
    return "\n".join(lines).strip("\n").strip()


def read_markdown_sheet(file: Path, text: str, default_level: Level | None = None) -> Sheet:
    """The questions of a Markdown sheet: `## Level` headings, and under them one `### question` block each with
    an optional `id:` line, a `Hint:` paragraph and `- point: term | term` bullets. A `# Title` before the first
    level names the pack's title; other text before the first heading is ignored.

    Raises SheetError on the first problem, naming the line.
    """
    sheet = Sheet()
    level = default_level
    seen_level = False
    block: _Block | None = None

    def finish() -> None:
        if block is not None:
            sheet.questions.append(_markdown_question(file, block))

    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            depth, title = len(heading.group(1)), (heading.group(2) or "").strip()
            if depth == 1:
                if seen_level or block is not None or sheet.title is not None:
                    raise SheetError(file, where, "title", "a '# title' heading must come once, before the "
                                                           "first level and question")
                if not title:
                    raise SheetError(file, where, "title", "is empty")
                sheet.title = title
            elif depth == 2:
                finish()
                block = None
                level = level_named(title)
                if level is None:
                    raise SheetError(file, where, "level", f"'{title}' is not a known level ({_known_levels()})")
                seen_level = True
            elif depth == 3:
                finish()
                if not title:
                    raise SheetError(file, where, "question", "is empty (write it after '### ')")
                block = _Block(number, level, [title])
            else:
                raise SheetError(file, where, "heading", f"'{line}' is not a level ('## ') or a question ('### ')")
            continue
        if block is None:
            if line and seen_level:
                raise SheetError(file, where, "question", "text outside a question: start each question with '### '")
            continue
        _markdown_line(file, where, number, line, block)
    finish()
    return sheet


def _markdown_line(file: Path, where: str, number: int, line: str, block: _Block) -> None:
    id_line, hint_line, bullet = _ID_LINE.match(line), _HINT_LINE.match(line), _BULLET.match(line)
    model_answer_line, why_line = _MODEL_ANSWER_LINE.match(line), _WHY_LINE.match(line)
    if why_line and block.section == "points":
        last = block.key_points[-1]
        if last.why:
            raise SheetError(file, where, "why", f"is given twice for the key point '{last.point}'")
        block.key_points[-1] = replace(last, why=why_line.group(1).strip())
    elif model_answer_line and block.section != "points":
        if block.model_answer is not None:
            raise SheetError(file, where, "model_answer", "is given twice for one question (line "
                                                          f"{block.model_answer_line} and here)")
        block.model_answer, block.model_answer_line = [model_answer_line.group(1)], number
        block.section = "model_answer"
    elif id_line:
        if block.id is not None:
            raise SheetError(file, where, "id", f"is given twice for one question (line {block.id_line} and here)")
        block.id, block.id_line, block.section = id_line.group(1).strip(), number, "id"
    elif hint_line:
        if block.hint is not None:
            raise SheetError(file, where, "hint", f"is given twice for one question (line {block.hint_line} and "
                                                  "here)")
        block.hint, block.hint_line, block.section = [hint_line.group(1)], number, "hint"
    elif bullet:
        block.section = "points"
        block.key_points.append(parse_key_point(bullet.group(1), file, where, len(block.key_points) + 1))
    elif block.section == "question":
        block.question.append(line)
    elif block.section == "hint":
        assert block.hint is not None
        block.hint.append(line)
    elif block.section == "model_answer":
        assert block.model_answer is not None
        block.model_answer.append(line)
    elif line:
        after = "the key points" if block.section == "points" else "the id"
        raise SheetError(file, where, "question", f"unexpected text after {after}: '{line[:60]}' (a key point is "
                                                  "one '- point: term | term' line, optionally followed by a 'Why:' line; the hint starts with 'Hint:')")


def _markdown_question(file: Path, block: _Block) -> SheetQuestion:
    where = f"line {block.line}"
    if block.level is None:
        raise SheetError(file, where, "level", f"is missing: put the question under a '## Level' heading "
                                               f"({_known_levels()}), or pass --level")
    hint = _joined(block.hint or [])
    if not hint:
        raise SheetError(file, where, "hint", "is missing (add a 'Hint:' paragraph to this question)")
    if not block.key_points:
        raise SheetError(file, where, "key_points", "none given (add '- point: term | term' lines)")
    question_id = block.id or None
    return SheetQuestion(where, block.level, _joined(block.question), hint, block.key_points, question_id,
                         _joined(block.model_answer or []))


# ---- reading any sheet ----

def sheet_format(path: Path, given: str | None = None) -> SheetFormat:
    """The format named by `given` (csv or md), else by the file's extension; raises SheetError when neither says."""
    name = (given or path.suffix.lstrip(".")).lower()
    if name in {"markdown", "mdown"}:
        name = "md"
    if name == "csv":
        return "csv"
    if name == "md":
        return "md"
    raise SheetError(path, None, "format", f"'{name or path.name}' is not a sheet format: use a .csv or .md file, "
                                           "or --format csv|md")


def read_sheet(file: Path, fmt: str | None = None, default_level: Level | None = None) -> Sheet:
    """The questions of the sheet in `file` (CSV or Markdown, by `fmt` or the file's extension).

    Raises SheetError when the file cannot be read, holds no question, or a question is incomplete or repeats an id.
    """
    kind = sheet_format(file, fmt)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(file, None, "file", "is not UTF-8 text") from None
    except OSError as error:
        raise SheetError(file, None, "file", f"cannot be read ({error.strerror or error})") from None
    reader = read_csv_sheet if kind == "csv" else read_markdown_sheet
    sheet = reader(file, text, default_level)
    if not sheet.questions:
        expected = "a header row and a row per question" if kind == "csv" else "a '### question' block per question"
        raise SheetError(file, None, "questions", f"none found: the sheet is empty (it needs {expected})")
    seen: dict[str, str] = {}
    for question in sheet.questions:
        if question.id is None:
            continue
        if question.id in seen:
            raise SheetError(file, question.where, "id", f"'{question.id}' is already used by the question at "
                                                         f"{seen[question.id]}")
        seen[question.id] = question.where
    return sheet


def assign_ids(questions: Sequence[SheetQuestion]) -> list[str]:
    """Each question's id: its own, or a slug of its text made unique within the sheet (`-2`, `-3`, ...)."""
    used = {q.id for q in questions if q.id is not None}
    ids: list[str] = []
    for question in questions:
        if question.id is not None:
            ids.append(question.id)
            continue
        base = slug(question.question)
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        ids.append(candidate)
    return ids


# ---- writing the pack ----

class _Terms(list[str]):
    """Terms are written on one line, `[a, b, "c d"]`, as in the shipped packs."""


class _PackDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key, as in the shipped packs


def _represent_terms(dumper: yaml.SafeDumper, data: _Terms) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_PackDumper.add_representer(_Terms, _represent_terms)
_PackDumper.add_representer(str, _represent_text)


def _question_entry(q: Question) -> dict[str, Any]:
    """One question as the pack writes it; the optional fields only when they are given."""
    entry: dict[str, Any] = {"id": q.id, "level": q.level.value, "question": q.question, "hint": q.hint}
    if q.model_answer:
        entry["model_answer"] = q.model_answer
    entry["key_points"] = [
        {"point": k.point, **({"why": k.why} if k.why else {}), "terms": _Terms(k.terms)} for k in q.key_points
    ]
    return entry


def pack_yaml(pack: str, title: str, questions: Sequence[Question], source: str | None = None) -> str:
    """The YAML text of a pack, in the layout of the shipped packs."""
    document: dict[str, Any] = {
        "pack": pack,
        "title": title,
        "questions": [
            _question_entry(q)
            for q in questions
        ],
    }
    body = yaml.dump(document, Dumper=_PackDumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    made = f" made from {source}" if source else ""
    return f"# {title}: a question pack{made} with `prepbot questions import`.\n{body}"


def pack_name(text: str) -> str:
    """`text` as a pack name: lower-case letters, digits and dashes."""
    return slug(text) if not _PACK_NAME.match(text) else text


@dataclass(frozen=True)
class ImportedPack:
    """A pack made from a sheet and validated: its YAML text and the questions the loader read from it."""

    text: str
    questions: list[Question]
    pack: str
    title: str


def import_sheet(
    file: Path, *, fmt: str | None = None, pack: str | None = None, title: str | None = None,
    default_level: Level | None = None,
) -> ImportedPack:
    """Reads the sheet in `file` and makes a pack of it, validated with `load_pack`; writes nothing.

    The pack is named `pack` (default: the sheet's file name) and titled `title` (default: the sheet's `# Title`,
    else the pack name). Raises SheetError naming the file, row or line, and field of the first problem.
    """
    sheet = read_sheet(file, fmt, default_level)
    name = pack or pack_name(file.stem)
    if not _PACK_NAME.match(name):
        raise SheetError(file, None, "pack", f"'{name}' is not a pack name (lower-case letters, digits and dashes)")
    shown_title = title or sheet.title or name
    ids = assign_ids(sheet.questions)
    questions = [
        Question(qid, q.level, q.question, q.hint, tuple(q.key_points), pack=name, model_answer=q.model_answer)
        for qid, q in zip(ids, sheet.questions, strict=True)
    ]
    text = pack_yaml(name, shown_title, questions, source=file.name)
    where = {qid: q.where for qid, q in zip(ids, sheet.questions, strict=True)}
    with tempfile.TemporaryDirectory() as folder:
        check = Path(folder) / f"{name}.yaml"
        check.write_text(text, encoding="utf-8")
        try:
            loaded = load_pack(check)
        except PackError as error:
            raise _located(error, file, where) from None
    return ImportedPack(text, loaded, name, shown_title)


def _located(error: PackError, file: Path, where: dict[str, str]) -> SheetError:
    """The loader's complaint about the pack, told about the sheet's row or line instead."""
    problem = str(error).partition(f": {error.field}: ")[2] or str(error)
    return SheetError(file, where.get(error.question_id or ""), error.field, problem)


def write_atomically(path: Path, text: str) -> None:
    """Writes `text` to `path` all at once: a reader sees the old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---- writing a sheet ----

def pack_title(file: Path) -> str | None:
    """The `title` a YAML pack declares, if any (the loader does not keep it)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    title = data.get("title") if isinstance(data, dict) else None
    return str(title).strip() if title else None


def csv_sheet(questions: Sequence[Question]) -> str:
    """The questions as a CSV sheet with the columns id, level, question, hint, model_answer, key_points, why."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for q in questions:
        points = "; ".join(key_point_text(k) for k in q.key_points)
        whys = "; ".join(_escape(k.why, ";") for k in q.key_points) if any(k.why for k in q.key_points) else ""
        writer.writerow([q.id, q.level.value, q.question, q.hint, q.model_answer, points, whys])
    return out.getvalue()


def markdown_sheet(questions: Sequence[Question], title: str | None = None) -> str:
    """The questions as a Markdown sheet: a `## Level` heading per level (in the pack's order) and a `###` block
    per question."""
    lines: list[str] = []
    if title:
        lines += [f"# {title}", ""]
    level: Level | None = None
    for q in questions:
        if q.level is not level:
            level = q.level
            lines += [f"## {level.label}", ""]
        first, *rest = q.question.split("\n")
        lines += [f"### {first}", *rest, "", f"id: {q.id}", ""]
        hint_first, *hint_rest = q.hint.split("\n")
        lines += [f"Hint: {hint_first}", *hint_rest, ""]
        if q.model_answer:
            answer_first, *answer_rest = q.model_answer.split("\n")
            lines += [f"Model answer: {answer_first}", *answer_rest, ""]
        for k in q.key_points:
            lines.append(f"- {key_point_text(k, ' | ')}")
            if k.why:
                lines.append(f"  Why: {k.why}")
        lines.append("")
    return "\n".join(lines)


def export_sheet(pack_file: Path, fmt: str) -> str:
    """The pack in `pack_file` (validated with `load_pack`) as a sheet in `fmt` (csv or md).

    The sheet is read back before it is returned, and must give the same questions: raises SheetError naming the
    question that the format cannot hold unchanged, and PackError when the pack itself is broken.
    """
    kind = sheet_format(pack_file, fmt)
    questions = load_pack(pack_file)
    title = pack_title(pack_file)
    text = csv_sheet(questions) if kind == "csv" else markdown_sheet(questions, title)
    name = f"{pack_file.stem}.{kind}"
    reader = read_csv_sheet if kind == "csv" else read_markdown_sheet
    back = reader(Path(name), text, None).questions
    if len(back) != len(questions):
        raise SheetError(pack_file, None, "sheet", f"reads back as {len(back)} questions, not {len(questions)}; "
                                                   "try the other format")
    for original, copy in zip(questions, back, strict=True):
        again = Question(copy.id or "", copy.level, copy.question, copy.hint, tuple(copy.key_points),
                         pack=original.pack, model_answer=copy.model_answer)
        if again != original:
            raise SheetError(pack_file, f"question '{original.id}'", "sheet",
                             f"cannot be written as a {kind} sheet without changing it; try the other format")
    return text
