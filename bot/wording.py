"""Every word a member reads, written once: cards become documents in a light markup that each platform renders.

The words are templates in a light markup: `*bold*`, `_italic_`, `` `code` `` (a backslash keeps the next character
as it is). A template's `{name}` placeholders are filled with values that are never read as markup, so text members
wrote (names, answers) cannot turn into formatting. The result is `Text`: a tuple of styled spans, symbols (a check
mark, a medal, a warning sign) and moments (a deadline each platform shows in its own way). A `Document` arranges
text in the few shapes the platforms need: a title, parts with an optional heading, bullets, fields, a footer and
small-print notes. Renderers convert a document to Block Kit, Discord markdown and embeds, or plain console text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from string import Formatter

from bot.cards import (
    AnswerFeedback,
    BoardPlace,
    Card,
    ChannelLabel,
    ChannelSchedule,
    HelpCard,
    HomeCard,
    LeaderboardCard,
    Notice,
    NoticeKind,
    NudgeCard,
    QuestionCard,
    Reaction,
    ReminderCard,
    RevealCard,
    StatsCard,
    WelcomeCard,
    point_remark,
)
from bot.domain.practice import PracticeAllowance
from bot.messages import (
    AnswerAccepted,
    AnswerEdited,
    AnswerOutcome,
    AnswersClosed,
    AnswerWithdrawn,
    Ignored,
    VoteCounted,
)

# ---- inline text ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Words shown as they are, in any mix of bold, italic and code."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


class Mark(str, Enum):
    """A sign each platform draws its own way."""

    CHECKED = "checked"
    UNCHECKED = "unchecked"
    WARNING = "warning"


@dataclass(frozen=True)
class Symbol:
    mark: Mark


@dataclass(frozen=True)
class Rank:
    """A place on a board: a medal for the first three where the platform has medals, else the number."""

    place: int


@dataclass(frozen=True)
class Moment:
    """An instant, shown in each member's own zone where the platform can, else in `tz`."""

    at: datetime
    tz: str


@dataclass(frozen=True)
class ChannelLink:
    """A channel, linked where the platform has links (which show its name only to members who may see it), else
    named."""

    ref: str
    name: str


Inline = Span | Symbol | Rank | Moment | ChannelLink
Text = tuple[Inline, ...]
Value = str | int | float | Inline | Text

_MARKERS = {"*": "bold", "_": "italic", "`": "code"}


def words(template: str, **values: Value) -> Text:
    """The template's light markup as text, with each `{name}` filled from `values` (never read as markup); a
    placeholder inside `*...*` takes the style around it. A format spec applies to a number (`{share:.0%}`)."""
    pieces: list[Inline] = []
    style = {"bold": False, "italic": False, "code": False}

    def add(text: str) -> None:
        if text:
            pieces.append(Span(text, **style))

    for literal, name, spec, _ in Formatter().parse(template):
        buffer, escaped = "", False
        for char in literal:
            if escaped:
                buffer, escaped = buffer + char, False
            elif char == "\\":
                escaped = True
            elif char in _MARKERS and (not style["code"] or char == "`"):
                add(buffer)
                buffer = ""
                style[_MARKERS[char]] = not style[_MARKERS[char]]
            else:
                buffer += char
        add(buffer)
        if name is not None:
            pieces += _filled(values[name], spec or "", style)
    if any(style.values()):
        raise ValueError(f"unclosed markup in {template!r}")
    return merged(pieces)


def merged(pieces: list[Inline] | Text) -> Text:
    """The pieces with neighbouring spans of the same style joined, so that a style is marked once per run."""
    out: list[Inline] = []
    for piece in pieces:
        last = out[-1] if out else None
        if isinstance(piece, Span) and isinstance(last, Span) and replace(last, text="") == replace(piece, text=""):
            out[-1] = replace(last, text=last.text + piece.text)
        else:
            out.append(piece)
    return tuple(out)


def _filled(value: Value, spec: str, style: dict[str, bool]) -> Text:
    if isinstance(value, tuple):
        return tuple(piece for item in value for piece in _filled(item, "", style))
    if isinstance(value, Span):
        return (replace(value, bold=value.bold or style["bold"], italic=value.italic or style["italic"],
                        code=value.code or style["code"]),)
    if isinstance(value, Symbol | Rank | Moment | ChannelLink):
        return (value,)
    text = format(value, spec)
    return (Span(text, **style),) if text else ()


def plural(count: int, noun: str, many: str = "") -> str:
    """`count` and `noun`, grammatical: `plural(1, "round")` is "1 round", `plural(3, "round")` "3 rounds". `many`
    is the plural when adding an s does not make it (`plural(2, "reply", "replies")`)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def joined(texts: list[Text], separator: str) -> Text:
    """The texts one after the other, with `separator` (plain words) between them."""
    out: Text = ()
    for i, text in enumerate(texts):
        out += (Span(separator),) + text if i else text
    return merged(out)


def plain(text: Text) -> str:
    """The words of `text` without styles, symbols or moments: for logs, notification lines and tests."""
    return "".join(piece.text for piece in text if isinstance(piece, Span))


# ---- documents -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """Lines shown one under the other."""

    lines: tuple[Text, ...]


@dataclass(frozen=True)
class Bullets:
    """A list, after an optional line that introduces it."""

    items: tuple[Text, ...]
    intro: Text = ()


Block = Paragraph | Bullets


@dataclass(frozen=True)
class Part:
    """A part of a document: its blocks, under a heading or not. Platforms with embeds show one part per embed."""

    blocks: tuple[Block, ...]
    heading: Text = ()


@dataclass(frozen=True)
class Rule:
    """A line between parts, where the platform draws one."""


@dataclass(frozen=True)
class Field:
    """A named value, such as when answers close."""

    name: str
    value: Text


@dataclass(frozen=True)
class Document:
    """What a card says, arranged: `summary` is the one line a notification shows; `title` heads the document;
    `label` names the round it belongs to where the platform shows that in words; `lead` comes before everything;
    `fields` and `footer` close the main text; `notes` are small print at the end."""

    summary: str
    title: str = ""
    label: str = ""
    lead: Text = ()
    parts: tuple[Part | Rule, ...] = ()
    fields: tuple[Field, ...] = ()
    footer: Text = ()
    notes: tuple[Text, ...] = ()


# ---- what a platform offers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandSpelling:
    """How members type each command on a platform: `/prep` text on Slack and in the console; app commands on
    Discord, the admin ones under a name of their own."""

    practice: tuple[str, ...]
    board: str
    stats: str
    opt_out: str
    opt_in: str
    admins: str  # who may run the admin commands, as the help names them
    admin: tuple[str, ...]
    subscribe_example: str = "/prep subscribe 09:30 Europe/Berlin mon-fri 17:00"  # 09:30 on weekdays, until 17:00
    help: str = "/prep help"
    nudge: str = "/prep nudge on|off"
    answers_in_threads: str = "/prep config answers thread"


TYPED_COMMANDS = CommandSpelling(
    practice=("/prep <level>", "/prep random"),
    board="/prep leaderboard [week|month|all] [level]",
    stats="/prep stats",
    opt_out="/prep optout",
    opt_in="/prep optin",
    admins="Admins",
    admin=("/prep subscribe [time] [tz] [days] [deadline] [levels]", "/prep unsubscribe", "/prep pause",
           "/prep resume", "/prep skip", "/prep holidays <country>|none|add <date>...|remove <date>...",
           "/prep config"),
)


# The buttons and forms through which members answer: what their titles, labels and buttons say.
ANSWER_BUTTON = "Answer"  # the button under a question that opens the Answer form, where a platform has one
ANSWER_PRIVATELY_BUTTON = "Answer privately"  # the button under a question answered privately, where it is its own
YOUR_ANSWER = "Your answer"  # the form that counts as a reply (its title), and the private form's text box
YOUR_PRIVATE_ANSWER = "Your private answer"  # the private form, and what it says after it is sent
ANSWER_FIELD = "Answer"  # the text box of the form that counts as a reply, where a text box has a title of its own
PRIVATE_ANSWER_FIELD = f"{ANSWER_FIELD} (only you see it until the reveal)"  # and of the private form
SAVE_ANSWER = "Save answer"
CANCEL = "Cancel"
CLOSE = "Close"
PRIVATE_ANSWER_TERMS = "Only you see your answer until the reveal; you can change it until the deadline."


def press(button: str) -> str:
    """How a member who answers by pressing `button` is told to (light markup): "press *Answer*"."""
    return f"press *{button}*"


def type_line(line: str) -> str:
    """How a member who answers by typing `line` is told to (light markup): "type `:answer TEXT`"."""
    return f"type `{line}`"


def admins_with(permission: str) -> str:
    """Who may run the admin commands where a permission says so, as the help names them: "With Manage Server"."""
    return f"With {permission}"


@dataclass(frozen=True)
class Surface:
    """What the words mention about a platform: whether members answer in threads (else on the lines after the
    question), whether a question has an Answer button, how commands are typed, and how a member answers privately
    (light markup)."""

    threads: bool = True
    answer_button: bool = False
    commands: CommandSpelling = TYPED_COMMANDS
    private_answer: str = press(ANSWER_PRIVATELY_BUTTON)


# ---- the cards' words ----------------------------------------------------------------------------------------


def question_title(card: QuestionCard) -> str:
    """A question's title: what kind of question, for whom, at which level."""
    if card.closed:
        return f"Closed: {card.level_label} question"
    if card.practice:
        kind = f"Practice question for {card.requested_by}" if card.requested_by else "Practice question"
    else:
        kind = "Question of the day"
    return f"{kind} · {card.level_label}"


def how_to_answer(surface: Surface) -> Text:
    """What a member does to answer an open question."""
    where = "in this thread" if surface.threads else "by typing a line"
    if surface.answer_button:
        where += f" (or press {ANSWER_BUTTON})"
    return words("Reply {where} before the deadline. Several replies add up; edit or delete them freely.",
                 where=where)


PRIVATE_PRACTICE_FOOTER = ("Only you see this question. Think your answer through, or write it down; when the time "
                           "above comes, I show you the hint, a model answer and the checklist, to you alone.")
PRIVATE_REVEAL_LEAD = "Only you see this. Check the answer you thought through against the checklist."
def _private_path(surface: Surface) -> Text:
    """How a member answers privately on `surface`, at the start of a sentence ("Press *Answer privately*")."""
    return words(surface.private_answer[:1].upper() + surface.private_answer[1:])


def how_to_answer_privately(surface: Surface) -> Text:
    """What a member does to answer an open question answered privately."""
    return merged(_private_path(surface)
                  + words(" to answer before the deadline; you can change your answer until then. Nobody sees "
                          "another's answer until the reveal."))


def question(card: QuestionCard, surface: Surface) -> Document:
    title = question_title(card)
    if card.closed:
        fields = (Field("Answers closed", (Moment(card.deadline_at, card.tz),)),)
        footer = words("The hint and feedback are in the thread.")
    elif card.personal:
        fields = (Field("Hint at", (Moment(card.deadline_at, card.tz),)),)
        footer = words(PRIVATE_PRACTICE_FOOTER)
    else:
        fields = (Field("Answers close", (Moment(card.deadline_at, card.tz),)),)
        footer = how_to_answer_privately(surface) if card.private else how_to_answer(surface)
    return Document(summary=f"{title}: {card.question}", title=title, label=f"round {card.round_id}",
                    parts=(Part((Paragraph((words("{question}", question=card.question),)),)),),
                    fields=fields, footer=footer)


def time_left(left: timedelta) -> str:
    """How long is left, to the nearest minute: "2 h", "1 h 30 min", "45 min", "less than a minute"."""
    minutes = round(left.total_seconds() / 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def answers_so_far(count: int) -> str:
    """How many answers a round has so far: "no answers yet", "1 answer so far", "3 answers so far"."""
    if count == 0:
        return "no answers yet"
    return f"{count} answer{'s' if count != 1 else ''} so far"


def reminder(card: ReminderCard, surface: Surface) -> Document:
    """The reminder in a question's thread: the time left and the answers so far."""
    headline = f"{time_left(card.left)} left · {answers_so_far(card.answers)}"
    if card.private:
        action = words(" to answer: nobody sees your answer before the reveal.")
        call = merged(words("*Reminder:* {headline}. Not answered yet? ", headline=headline)
                      + _private_path(surface) + action)
    else:
        where = "in this thread" if surface.threads else "on the next line(s)"
        call = words("*Reminder:* {headline}. Not answered yet? Reply {where}.", headline=headline, where=where)
    return Document(summary=f"Reminder: {headline}", label=f"round {card.round_id}",
                    parts=(Part((Paragraph((call,)),)),),
                    fields=(Field("Answers close", (Moment(card.deadline_at, card.tz),)),))


def nudge(card: NudgeCard, surface: Surface) -> Document:
    """The private nudge to a member who asked for one and has not answered yet."""
    left = time_left(card.left)
    where = words(" in #{channel}", channel=card.channel_name) if card.channel_name else ()
    return Document(
        summary=f"{left} left to answer the question of the day",
        parts=(Part((Paragraph((
            merged(words("*{left} left* to answer the question of the day", left=left) + where
                   + words(": {question}", question=card.question)),
            words("Answers close {at}.", at=Moment(card.deadline_at, card.tz)),
            words("You asked for this nudge; `/prep nudge off` stops them."),
        )),)),),
    )


def feedback_heading(item: AnswerFeedback) -> Text:
    """The first line of one answer's feedback: who, on time or late, how much it covered, its points."""
    heading = words("*{name}* ({status}): covered {covered} of {total}", name=item.member_name,
                    status="on time" if item.on_time else "late", covered=item.covered_count,
                    total=len(item.covered))
    if item.awards:
        heading = merged(heading + words(" · *{points}*", points=plural(item.total_points, "pt")))
    return heading


def feedback_lines(item: AnswerFeedback) -> tuple[Text, ...]:
    """One answer's feedback under its heading: each key point checked or not, in the member's words, the advice,
    the points with their reasons, and a note."""
    lines: list[Text] = []
    if item.answer_text:
        lines.append(words("_Answer:_ {answer}", answer=item.answer_text))
    for point in item.covered:
        remark = point_remark(point)
        line = words("{mark} {point}", mark=Symbol(Mark.CHECKED if point.covered else Mark.UNCHECKED),
                     point=point.point)
        lines.append(merged(line + words(" _({remark})_", remark=remark)) if remark else line)
    lines += [words("{advice}", advice=advice) for advice in (item.judge_says, item.did_well, item.study_next)
              if advice]
    if item.awards:
        lines.append(joined([words("+{amount} {reason} ({detail})", amount=award.amount, reason=award.reason,
                                   detail=award.detail) for award in item.awards], ", "))
    if item.note:
        lines.append(words("_{note}_", note=item.note))
    return tuple(lines)


def reveal(card: RevealCard) -> Document:
    intro: list[Block] = [Paragraph((words("*Hint:* {hint}", hint=card.hint),))]
    if card.model_answer:
        intro.append(Paragraph((words("*A model answer:* {answer}", answer=card.model_answer),)))
    intro.append(Bullets(tuple(words("{point}", point=point) for point in card.key_points),
                         words("*A strong answer covers:*")))
    if card.personal:
        return Document(summary=f"Hint for your practice question (round {card.round_id})",
                        title="Hint for your practice question", label=f"round {card.round_id}",
                        lead=words(PRIVATE_REVEAL_LEAD), parts=(Part(tuple(intro)),))
    parts: list[Part | Rule] = [Part(tuple(intro)), Rule()]
    if not card.feedback:
        parts.append(Part((Paragraph((words("Nobody answered this one."),)),)))
    parts += [Part((Paragraph(feedback_lines(item)),), feedback_heading(item)) for item in card.feedback]
    tally = card.tally
    notes = [words("{graded_by}", graded_by=card.graded_by)] if card.graded_by else []
    notes.append(words("{answers}: {on_time} on time, {late} late · average coverage {coverage:.0%}",
                       answers=plural(tally.answers, "answer"), on_time=tally.on_time, late=tally.late,
                       coverage=tally.average_coverage))
    return Document(summary=f"Hint and feedback for round {card.round_id}", title="Hint and feedback",
                    label=f"round {card.round_id}", lead=words("{note}", note=card.note), parts=tuple(parts),
                    notes=tuple(notes))


def board_title(card: LeaderboardCard) -> str:
    level = f" · {card.level_label}" if card.level_label else ""
    return f"{card.title} · {card.period}{level}"


def board(card: LeaderboardCard) -> Document:
    lines = tuple(words("{rank} *{name}* · {total} ({rounds})", rank=Rank(line.rank), name=line.name,
                        total=plural(line.total, "pt"), rounds=plural(line.rounds, "round"))
                  for line in card.lines)
    title = board_title(card)
    body = lines or (words("No points yet. Answer today's question to get on the board!"),)
    if card.more:
        body += (more_ranked(card.more),)
    return Document(summary=title, title=title, parts=(Part((Paragraph(body),)),))


def more_ranked(count: int) -> Text:
    """What follows a board's lines (or its chart's bars) when it ranks `count` members more than it shows."""
    return words("and {count} more", count=count)


def chart_alt_text(title: str, subtitle: str, bars: tuple[tuple[int, str, int], ...], more: int) -> str:
    """What a board's chart shows, as one sentence for screen readers: its title and subtitle, each bar's rank, name
    and points, and how many more members the board ranks (`more`, none when 0)."""
    ranking = "; ".join(f"{rank}. {name}, {plural(total, 'point')}" for rank, name, total in bars)
    tail = f"; {plain(more_ranked(more))}" if more else ""
    return f"Bar chart of the {title}, {subtitle}: {ranking}{tail}."


def points_count(total: int) -> str:
    """A number of points as a board abbreviates it: `1 pt`, `120 pts`."""
    return f"{total} pt{'' if total == 1 else 's'}"


def place_text(place: BoardPlace) -> Text:
    """A member's place on a board, as `#14 of 32`."""
    return words("*#{rank}* of {of}", rank=place.rank, of=place.of)


def own_place(place: BoardPlace) -> Notice:
    """What a member who asked for a board that leaves them out is told: their place on it and their points."""
    return Notice(plain(words("You: {place} · {points}", place=place_text(place), points=points_count(place.total))))


def chart_comment(title: str) -> Text:
    """What goes with a board's chart when it is shared on its own, for the board titled `title`."""
    return words("{title}, as a chart", title=title)


def stats(card: StatsCard) -> Document:
    breakdown = " · ".join(f"{reason} {amount}" for reason, amount in card.breakdown)
    lines = [
        words("*{total}* all time ({breakdown}); *{week}* this week", total=plural(card.total, "point"),
              breakdown=breakdown, week=card.week_total),
        words("Streak: *{streak}* · rounds answered: {rounds}", streak=plural(card.streak_days, "day"),
              rounds=card.rounds_answered),
    ]
    lines += [words("{level}: {share:.0%} of key points over {rounds}", level=level, share=share,
                    rounds=plural(count, "round")) for level, share, count in card.coverage_by_level]
    return Document(summary=f"Your stats: {plural(card.total, 'point')}", title=f"Stats for {card.member_name}",
                    parts=(Part((Paragraph(tuple(lines)),)),), footer=week_place(card.week_place))


def week_place(place: BoardPlace | None) -> Text:
    """Where a member stands on this week's board, under their stats."""
    if place is None:
        return words("Not on this week's board yet")
    return words("{place} on this week's board", place=place_text(place))


def notice(card: Notice) -> Document:
    """A notice's text as it was written, with a warning sign when it reports an error."""
    text = words("{text}", text=card.text)
    if card.kind is NoticeKind.ERROR:
        text = (Symbol(Mark.WARNING), *text)
    return Document(summary=card.text, parts=(Part((Paragraph((text,)),)),))


def vote_reply(outcome: VoteCounted | Ignored, author: str, cast: bool) -> Notice:
    """What a member who voted for `author`'s answer (or, `cast` False, took the vote back) is told."""
    if isinstance(outcome, Ignored):
        refused = "Your vote was not counted" if cast else "No vote was taken back"
        return Notice(f"{refused}: {outcome.reason}.", NoticeKind.ERROR)
    votes = f"votes from {plural(outcome.voters, 'teammate')}" if outcome.voters else "no votes"
    if not outcome.changed:
        already = "You already vote for" if cast else "You had no vote to take back from"
        return Notice(f"{already} {author}'s answer, so nothing changed: it has {votes}.")
    return Notice(f"Your vote for {author}'s answer {'counts' if cast else 'is taken back'}: it has {votes} now.")


def reply_change_reply(outcome: AnswerOutcome) -> Notice:
    """What a member who edited or deleted one of their replies is told."""
    if isinstance(outcome, Ignored):
        return Notice(f"Nothing was changed: {outcome.reason}.", NoticeKind.ERROR)
    if isinstance(outcome, AnswerWithdrawn):
        return Notice("Your reply was deleted; it no longer counts.")
    if isinstance(outcome, AnswerEdited) and not outcome.counts_for_score:
        return Notice("Your reply was edited after the deadline, so the edit does not change your score.")
    return Notice("Your reply was edited.")


HELP_SUMMARY = "What prepbot can do"


@dataclass(frozen=True)
class CommandWords:
    """A command as a command picker describes it (Discord's shows these; each is 1 to 100 characters there): what
    it does, and what each of its options is, by option name."""

    description: str
    options: tuple[tuple[str, str], ...] = ()


# What the command pickers say of the `/prep` commands: the groups (everyone's, and the admins') and each command by
# its name. The help below says the same to members who type commands.
COMMAND_GROUPS = {
    "prep": "Interview practice: questions, boards and your stats",
    "prep-admin": "Schedule this channel's question of the day",
}
COMMANDS = {
    "practice": CommandWords("A practice question now, in this channel with its own thread",
                             (("level", "The level (any level when left out)"),)),
    "leaderboard": CommandWords("The board: this week, this month or all time"),
    "stats": CommandWords("Your points and their reasons, your streak, your coverage by level"),
    "optout": CommandWords("Show me as 'anonymous' on boards and reveals"),
    "optin": CommandWords("Show my name on boards and reveals again"),
    "nudge": CommandWords("A private nudge before the deadline when I have not answered",
                          (("state", "on or off (without it: whether you get one)"),)),
    "help": CommandWords(HELP_SUMMARY),
    "subscribe": CommandWords("Post a daily question in this channel", (
        ("time", "Post time, HH:MM"), ("timezone", "IANA zone, e.g. Europe/Berlin"),
        ("days", "e.g. mon-fri or mon,wed,fri"), ("deadline", "HH:MM, or a duration like 8h"),
        ("levels", "e.g. beginner,advanced (all when left out)"))),
    "unsubscribe": CommandWords("No more daily questions in this channel"),
    "pause": CommandWords("Pause the daily question"),
    "resume": CommandWords("Resume the daily question"),
    "skip": CommandWords("Skip the next daily question"),
    "holidays": CommandWords("No question on public holidays or given dates",
                             (("setting", "A country code (DE), none, add YYYY-MM-DD ..., or remove YYYY-MM-DD ..."),)),
    "config": CommandWords("Show the schedule, or change one setting", (
        ("setting", "time, tz, days, deadline, levels, grader, practice, reminder or answers"),
        ("value", "The new value"))),
}
# The periods a board can be asked for, as a picker names them, with the word the command takes.
BOARD_PERIODS = (("This week", "week"), ("This month", "month"), ("All time", "all"))


def help_text(card: HelpCard, surface: Surface) -> Document:
    """What prepbot can do, with each command as members type it on the platform."""
    commands = surface.commands
    answered = "answered privately until the reveal, or in its thread, as the channel chooses"
    levels = ", ".join(card.levels)
    practice = joined([words("`{form}`", form=form) for form in commands.practice], " or ")
    admin = joined([words("`{form}`", form=form) for form in commands.admin], ", ")
    lines = (
        words("*prepbot*: a question of the day for the team, {answered}.", answered=answered),
        words("{practice}: a practice question now ({levels})", practice=practice, levels=levels),
        words("`{board}`: the board", board=commands.board),
        words("`{stats}`: your points, their reasons, your streak and coverage by level", stats=commands.stats),
        words("`{out}` / `{in_}`: hide or show your name on boards", out=commands.opt_out, in_=commands.opt_in),
        words("`{nudge}`: a private nudge before the deadline when you have not answered yet", nudge=commands.nudge),
        words("{admins}: {admin}", admins=commands.admins, admin=admin),
    )
    return Document(summary=HELP_SUMMARY, parts=(Part((Paragraph(lines),)),))


def welcome(card: WelcomeCard, surface: Surface) -> Document:
    """The card the bot posts once where it was added: what it does, and how an admin starts it."""
    commands = surface.commands
    lines = (
        merged(words("I post an interview question of the day here. Everyone answers before the deadline, privately (")
               + words(surface.private_answer)
               + words("), so nobody reads a teammate's answer first; then I reveal every answer with a hint and "
                       "feedback, and points go on the channel's board.")),
        words("*To start*, an admin runs `{example}`: a question at 09:30 on weekdays, answers close at 17:00.",
              example=commands.subscribe_example),
        words("`{help}` lists every command; `{practice}` gives anyone a practice question now.", help=commands.help,
              practice=commands.practice[0]),
        words("An admin who prefers answers as thread replies runs `{answers}`.", answers=commands.answers_in_threads),
    )
    return Document(summary=f"prepbot is here: an admin starts the question of the day with "
                            f"{commands.subscribe_example}",
                    title="Hello, I'm prepbot", parts=(Part((Paragraph(lines),)),))


def _channel(label: ChannelLabel) -> ChannelLink:
    return ChannelLink(label.ref, label.name or label.ref)


def schedule_line(item: ChannelSchedule) -> Text:
    """One subscribed channel's schedule, as the home page lists it."""
    line = words("{channel}: {days} at {time} {tz}, answers close {deadline}", channel=_channel(item.channel),
                 days=item.days, time=item.post_time, tz=item.tz, deadline=item.deadline)
    if item.paused:
        return merged(line + words(" · _paused_"))
    if item.next_post_at is not None:
        return merged(line + words(" · next question {at}", at=Moment(item.next_post_at, item.tz)))
    return line


def home(card: HomeCard, surface: Surface) -> Document:
    """A member's own page: their stats in each channel they play in (as `/prep stats` says them), and when each
    subscribed channel's question comes."""
    commands = surface.commands
    parts: list[Part | Rule] = []
    for item in card.played:
        shown = stats(item.stats)
        blocks = tuple(block for part in shown.parts if isinstance(part, Part) for block in part.blocks)
        parts.append(Part(blocks, words("*Your stats in {channel}*", channel=_channel(item.channel))))
    if not card.played:
        parts.append(Part((Paragraph((words("No points yet: answer a question of the day, or run "
                                            "`{practice}` for a practice question now.",
                                            practice=commands.practice[0]),)),), words("*Your stats*")))
    elif card.more_played:
        parts.append(Part((Paragraph((words("and {n} more channel{s} you play in", n=card.more_played,
                                            s="s" if card.more_played != 1 else ""),)),)))
    parts.append(Rule())
    if card.schedules:
        items = [schedule_line(item) for item in card.schedules]
        if card.more_schedules:
            items.append(words("and {n} more channel{s}", n=card.more_schedules,
                               s="s" if card.more_schedules != 1 else ""))
        body: Block = Bullets(tuple(items))
    else:
        body = Paragraph((words("No channel has a question of the day yet: an admin starts one in a channel with "
                                "`{example}`.", example=commands.subscribe_example),))
    parts.append(Part((body,), words("*Questions of the day*")))
    return Document(summary=f"prepbot for {card.member_name}", title="prepbot",
                    lead=words("Hi {name}: your points, and when each channel's question comes.",
                               name=card.member_name),
                    parts=tuple(parts), footer=words("`{help}` in a channel lists every command.", help=commands.help))


def home_overflow(surface: Surface) -> Text:
    """What closes a member's home page when it holds more than the platform shows on one."""
    return words("There is more than fits here: `{stats}` in a channel shows your stats there.",
                 stats=surface.commands.stats)


def document(card: Card, surface: Surface) -> Document:
    """The words of any card, arranged for rendering on `surface`."""
    if isinstance(card, QuestionCard):
        return question(card, surface)
    if isinstance(card, RevealCard):
        return reveal(card)
    if isinstance(card, LeaderboardCard):
        return board(card)
    if isinstance(card, StatsCard):
        return stats(card)
    if isinstance(card, HelpCard):
        return help_text(card, surface)
    if isinstance(card, WelcomeCard):
        return welcome(card, surface)
    if isinstance(card, ReminderCard):
        return reminder(card, surface)
    if isinstance(card, NudgeCard):
        return nudge(card, surface)
    return notice(card)


# ---- practice on demand --------------------------------------------------------------------------------------


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def practice_allowance_words(allowance: PracticeAllowance) -> str:
    """What a member is told when they ask for a practice question: whether it can score under the daily cap."""
    cap = allowance.cap
    if cap == 0:
        return "Practice questions here are for practice only: they earn no points."
    if allowance.scores:
        return f"This is your {ordinal(allowance.ordinal)} of {cap} scored practice questions today."
    if allowance.cannot_score:
        return (f"You have scored {cap} practice question{'s' if cap != 1 else ''} today, the most a day: this one is "
                "for practice only and earns no points.")
    return (f"This is your {ordinal(allowance.ordinal)} practice question today and {cap} a day score: it earns "
            "points only if one of your open practice questions goes unanswered.")


PRIVATE_PRACTICE_WORDS = ("Here is your practice question, shown only to you (this channel keeps practice private). "
                          "Private practice earns no points.")


def no_practice_question_words(level_value: str | None) -> str:
    """Why no practice question was given: every question of that choice is the channel's daily question in play."""
    which = f"{level_value} questions" if level_value else "questions at this channel's levels"
    return (f"I have no practice question for you: the only {which} are this channel's daily question, which "
            "practice never gives away while it is open or on its day. Try another level.")


def practice_privacy_text(private: bool) -> str:
    """How `/prep config` says where practice questions go in a channel."""
    if private:
        return ("Practice: private (a practice question and its hint are shown only to the member who asks; they earn "
                "no points).")
    return "Practice: public (a practice question is posted here with its own thread, and scores)."


def practice_privacy_announcement(by: str, private: bool) -> str:
    """What the channel reads when an admin changes where practice questions go."""
    if private:
        return (f"{by} made practice private: from now on a practice question and its hint are shown only to the "
                "member who asks, so the daily question stays on top. Private practice earns no points.")
    return (f"{by} made practice public: from now on a practice question is posted here with its own thread, where "
            "anyone can answer it, and it scores.")
# ---- the private path's replies ------------------------------------------------------------------------------


def exposed_reply_notice() -> Notice:
    """What the author of a thread reply to a question answered privately is told."""
    return Notice("Your reply counts as your answer, but it is in the question's thread, where everyone can read "
                  "it. This question is answered privately: use its private path next time, and nobody sees your "
                  "answer before the reveal.")


def answers_closed_notice() -> Notice:
    """What a member who wants to answer privately after the deadline is told."""
    return Notice("This round is closed: answers closed at the deadline, and yours was not saved. The hint and the "
                  "feedback are in the question's thread.", NoticeKind.ERROR)


def busy_notice() -> Notice:
    """What a member is told when their command could not be taken in time: nothing was changed."""
    return Notice("I am too busy to take that right now; nothing was changed. Please try again in a moment.",
                  NoticeKind.ERROR)


def cannot_post_notice() -> Notice:
    """What a member is told when the reply to their command cannot be posted in the channel."""
    return Notice("I cannot post in this channel: invite me to it first, then try again.", NoticeKind.ERROR)


def server_only_notice() -> Notice:
    """What a member who runs a command outside a server's channels (in a direct message, say) is told."""
    return Notice("prepbot works in a server's channels.")


def done_notice() -> Notice:
    """What a member is told when their command did what it should and has nothing else to show."""
    return Notice("Done.")


def lost_channel_notice(channel_name: str | None, why: str) -> Notice:
    """What the member who subscribed a channel is told when the bot can no longer post there (`why`, as the
    platform said it) and the channel's daily question is stopped."""
    name = f"#{channel_name}" if channel_name else "a channel"
    return Notice(f"I can no longer post in {name} ({why}), so its daily question is stopped. Give me back my "
                  "access there and subscribe the channel again to restart it.", NoticeKind.ERROR)


def answer_cut_words(kept: int) -> str:
    """What a member whose answer was longer than prepbot keeps is told, wherever they are told it."""
    return f"Your answer was long: I kept the first {kept:,} characters."


def answer_cut_notice(kept: int) -> Notice:
    """What the author of a reply in a thread that was cut to `kept` characters is told privately."""
    return Notice(answer_cut_words(kept))


def not_counted_words(reason: str) -> str:
    """Why a reply was not counted as an answer."""
    return f"Not counted as an answer: {reason}."


def form_answer_receipt(outcome: AnswerOutcome) -> Notice:
    """What a member who sent an answer from the form that counts as a reply in the thread is told: saved (on time,
    or late and scoring nothing; cut when long), not counted and why, or saved."""
    if isinstance(outcome, AnswerAccepted):
        text = ("✅ Your answer is saved." if outcome.on_time
                else "⏰ Saved, but it came after the deadline: it scores nothing.")
        if outcome.truncated_to:
            text += " " + answer_cut_words(outcome.truncated_to)
        return Notice(text)
    if isinstance(outcome, Ignored):
        return Notice(not_counted_words(outcome.reason))
    return Notice("Saved.")


def acknowledgement_words(reaction: Reaction) -> str:
    """What an acknowledgement says where a platform writes it out beside its mark: saved, or saved late."""
    return "answer saved" if reaction is Reaction.ACCEPTED else "saved, but after the deadline: it scores nothing"


def answer_busy_notice() -> Notice:
    """What a member is told when the answer they sent from a form could not be stored in time (it may be stored
    later) or at all."""
    return Notice("prepbot is busy and could not save your answer in time. Send it again: it is saved once.",
                  NoticeKind.ERROR)


def private_answer_receipt(outcome: AnswerOutcome) -> Notice:
    """What a member is told of a private answer once it is stored, or why it was not."""
    if isinstance(outcome, AnswersClosed):
        return answers_closed_notice()
    if isinstance(outcome, Ignored):
        return Notice(f"Not saved: {outcome.reason}.", NoticeKind.ERROR)
    if isinstance(outcome, AnswerWithdrawn):
        return Notice("Your answer is withdrawn: you have no answer to this question now.")
    text = "Your answer is saved." if isinstance(outcome, AnswerAccepted) else "Your answer is replaced."
    text += " " + PRIVATE_ANSWER_TERMS
    if isinstance(outcome, AnswerAccepted) and outcome.truncated_to is not None:
        text += " " + answer_cut_words(outcome.truncated_to)
    return Notice(text)


# ---- the console's own lines ---------------------------------------------------------------------------------

CONSOLE_HELP = """\
Console lines:
  :as NAME              speak as member NAME from now on
  :advance DURATION     let time pass (30m, 8h, 2d); everything due in between happens, in order
  :at YYYY-MM-DD HH:MM  jump to that local time
  :vote NAME            react to NAME's answer in the open thread (:unvote NAME takes it back)
  :answer TEXT          answer the open question privately (again: replace your private answer)
  :edit TEXT            replace your last reply in the open thread
  :delete               delete your last reply in the open thread
  :thread ROUND [TEXT]  reply in another round's thread (without TEXT: make it the open thread)
  :now                  show the time;  :help  this text;  :quit  leave
  # ...                 a comment: skipped (for scripts and pasted tours)
  /prep ...             a prepbot command (/prep help lists them)
  anything else         a reply in the open thread: the most recent question's"""
# How each console line that takes something is written, as its usage says.
CONSOLE_USAGE = {
    ":as": ":as NAME (a name up to 40 characters)",
    ":advance": ":advance DURATION",
    ":at": ":at YYYY-MM-DD HH:MM",
    ":edit": ":edit TEXT",
    ":answer": ":answer TEXT",
    ":thread": ":thread ROUND_ID [TEXT]",
}


def console_greeting(member: str, now: str) -> Notice:
    """The first thing an interactive console says: who is speaking, and the time (`now`, as the console shows it)."""
    return Notice(f"prepbot console: you are '{member}', it is {now}. :help lists what you can type.")


def console_usage(line: str, problem: str = "") -> Notice:
    """How console line `line` (":as") is written, after what was wrong with it (a sentence without its full
    stop), if anything."""
    usage = f"Usage: {CONSOLE_USAGE[line]}"
    return Notice(f"{problem}. {usage}" if problem else usage, NoticeKind.ERROR)


def console_not_a_local_time(text: str) -> Notice:
    """What `:at` says of a time it cannot read."""
    return console_usage(":at", f"'{text}' is not a local time")


def console_not_a_command(word: str) -> Notice:
    """What the console says of a line that starts with a slash but not with /prep."""
    return Notice(f"'{word}' is not a command here; commands start with /prep.", NoticeKind.ERROR)


def console_not_a_line(word: str) -> Notice:
    """What the console says of a line that starts with a colon it does not know."""
    return Notice(f"'{word}' is not a console line. :help lists them.", NoticeKind.ERROR)


def console_time(now: str, travelled: bool = False) -> Notice:
    """What time it is in the console (`now`, as it shows it): asked with `:now`, or after time passed."""
    return Notice(f"It is {now} now." if travelled else f"It is {now}.")


def console_clock_goes_forward(now: str) -> Notice:
    """What the console says when asked to go back in time."""
    return Notice(f"The clock does not go back: it is {now} already.", NoticeKind.ERROR)


def console_speaker(name: str) -> Notice:
    """What the console says once it speaks as member `name`."""
    return Notice(f"You are {name} now.")


def console_no_question() -> Notice:
    """What the console says to a reply or a private answer when no question was posted yet."""
    return Notice("There is no question to answer yet: try /prep random, or :advance until the next one.",
                  NoticeKind.ERROR)


def console_reply_receipt(outcome: AnswerOutcome) -> Notice | None:
    """What the console says to a reply in a thread, besides its acknowledgement: why it was not counted, if not."""
    return Notice(not_counted_words(outcome.reason), NoticeKind.ERROR) if isinstance(outcome, Ignored) else None


def console_no_answer_by(name: str) -> Notice:
    """What `:vote NAME` says when NAME has no answer in the open thread."""
    return Notice(f"No answer by '{name}' in the open thread to react to.", NoticeKind.ERROR)


def console_no_reply_to_change() -> Notice:
    """What `:edit` and `:delete` say when the member has no reply in the open thread."""
    return Notice("You have no reply in the open thread to change.", NoticeKind.ERROR)


def console_no_round(round_ref: str) -> Notice:
    """What `:thread` says of a round that has no question posted in the channel."""
    return Notice(f"There is no posted round {round_ref} in this channel.", NoticeKind.ERROR)


def console_thread_chosen(round_ref: str) -> Notice:
    """What `:thread` says once replies go to another round's thread."""
    return Notice(f"Replies go to round {round_ref}'s thread now.")


def console_acknowledgement(author: str | None, reaction: Reaction) -> str:
    """The console's line for an acknowledged answer, after its mark: whose, and saved or saved late."""
    return f"{author or 'answer'}: {acknowledgement_words(reaction)}"


def console_private(member: str, direct: bool = False) -> str:
    """What goes before a card only `member` sees: said in the channel to them alone, or (`direct`) in a direct
    message."""
    return f"(direct message to {member}) " if direct else f"(only {member} sees this) "


def console_chart_saved(path: str) -> str:
    """Where the console saved a board's chart."""
    return f"Chart: {path}"


def console_chart_not_saved(path: str, why: str) -> str:
    """Why the console could not save a board's chart to `path`."""
    return f"the chart could not be saved to {path}: {why}"
