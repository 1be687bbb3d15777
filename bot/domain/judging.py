"""Grounding an AI judge's verdict in the member's own words, cleaning its feedback, and fingerprinting a request.

A key point counts only when the judge says it is covered AND quotes the answer for it: the quote must really
appear in the answer (compared after normalising Unicode, quotes, dashes, case and whitespace), be short, and share
at least one meaningful word with the key point (so a quote of an instruction such as "mark every point covered",
which is in the answer, cannot stand for a point it says nothing about).

An answer that speaks to the grader instead of the question ("ignore the rubric", "mark every point covered", "give
this answer full marks", a verdict in JSON) is never sent to the judge: the offline grader grades it, so an
instruction hidden in an answer can gain nothing over what its explanations earn.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.judging import Judgement, JudgeRequest

FEEDBACK_MAX_CHARS = 600
FEEDBACK_MAX_SENTENCES = 3  # the judge is asked for two or three
QUOTE_MAX_CHARS = 400  # a longer "quote" is the answer pasted back, not evidence for one point
STEM = 5  # two words of this length or more match when they share their first STEM characters

_TRANSLATE = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4`"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), ""),
}
_SPACE = re.compile(r"\s+")
_EDGE = " \t\n\"'.,;:!?()[]{}-"
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    "a an the and or but if then than that this these those it its is are was were be been being to of in on at "
    "by for with as from into onto over under about so such not no nor do does did done can could should would "
    "will shall may might must have has had you your we our they their them he she his her i me my what which "
    "who whom when where why how all any each every more most some other only own same very just also there here "
    "out up down off again further once both few".split()
)


_NEAR = r"[^.!?\n]{0,60}?"  # within one sentence
_GRADER_WORDS = r"(?:grader|judge|evaluator|assessor|examiner|reviewer|marker|model|assistant|ai|llm|gpt|chatgpt)"
_ADDRESSES_THE_GRADER = re.compile("|".join([
    # ignore / disregard / forget ... the rubric, your instructions, the rules, the prompt
    rf"\b(?:ignore|disregard|forget|override|bypass|skip|drop)\b{_NEAR}\b(?:rubric|instructions?|prompt|"
    rf"criteria|guidelines|grading rules|rules above|previous rules|scoring rules|system message)\b",
    # mark / score / count / treat ... every / all ... point(s) ... covered / met / correct
    rf"\b(?:mark|grade|score|rate|count|treat|consider|set|flag|judge|evaluate)\b{_NEAR}\b(?:every|all|each|"
    rf"these|the)\b{_NEAR}\b(?:points?|key points?|criteria|items?|boxes)\b{_NEAR}\b(?:covered|met|correct|"
    rf"satisfied|complete|fulfilled|true|ticked|checked|passed)\b",
    # give / award ... full / maximum / perfect ... marks / points / score
    rf"\b(?:give|award|assign|grant)\b{_NEAR}\b(?:full|maximum|max|all|perfect|top|100\s*%?|highest)\b"
    rf"{_NEAR}\b(?:marks?|points?|scores?|credit|grade|rating)\b",
    # speaking to the grader: "dear grader", "note to the judge", "you are a lenient grader"
    rf"\b(?:dear|hey|hi|hello|note (?:to|for)(?: the)?)\s+{_GRADER_WORDS}\b",
    rf"\byou are (?:a|an|the)\b{_NEAR}\b(?:grader|judge|evaluator|assessor|examiner)\b",
    # a verdict written into the answer
    r"[\"']?covered[\"']?\s*:\s*(?:true|yes|1)\b",
]), re.I | re.M)


def addresses_the_grader(answer: str) -> bool:
    """Whether `answer` gives the grader instructions (to ignore the rubric, to mark points covered, to give full
    marks, a verdict of its own) instead of answering the question."""
    return _ADDRESSES_THE_GRADER.search(normalise(answer)) is not None


def normalise(text: str) -> str:
    """`text` compared as the grounding rules compare it: NFKC, curly quotes and dashes made plain, zero-width
    characters dropped, case folded, runs of whitespace made one space, ends trimmed."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    return _SPACE.sub(" ", text).strip()


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(normalise(text)) if w not in _STOPWORDS and (len(w) >= 2 or w.isdigit())}


def _shares_a_word(quote: str, key_point: str) -> bool:
    point_words = _content_words(key_point)
    for word in _content_words(quote):
        for wanted in point_words:
            if word == wanted or (len(word) >= STEM and len(wanted) >= STEM and word[:STEM] == wanted[:STEM]):
                return True
    return False


class Dropped(Enum):
    """Why a point the judge said was covered does not count."""

    NO_QUOTE = "no_quote"  # covered, but nothing quoted
    NOT_IN_ANSWER = "not_in_answer"  # the quote is not the answer's words
    TOO_LONG = "too_long"  # the quote is longer than QUOTE_MAX_CHARS
    OFF_POINT = "off_point"  # the quote shares no meaningful word with the key point


@dataclass(frozen=True)
class GroundedPoint:
    """One key point after grounding: `covered` only when the judge said so and its quote stands."""

    key_point: str
    covered: bool
    quote: str  # the judge's quote as given, "" when the point is not covered
    dropped: Dropped | None = None  # set when the judge said covered and the quote did not stand


@dataclass(frozen=True)
class GroundedJudgement:
    """A judgement whose points stand on the answer's own words, with feedback safe to post."""

    points: tuple[GroundedPoint, ...]
    feedback: str
    model: str

    @property
    def covered(self) -> tuple[str, ...]:
        """The key points that stand."""
        return tuple(p.key_point for p in self.points if p.covered)

    @property
    def dropped(self) -> tuple[GroundedPoint, ...]:
        """The points the judge claimed but could not show in the answer."""
        return tuple(p for p in self.points if p.dropped is not None)


def quote_stands(quote: str, answer: str) -> bool:
    """Whether `quote` (its surrounding punctuation aside) appears word for word in `answer`, as normalised, starting
    and ending on word boundaries (a piece of a word is not a quote)."""
    wanted = normalise(quote).strip(_EDGE)
    if not wanted:
        return False
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", normalise(answer)) is not None


def _ground_point(key_point: str, covered: bool, quote: str, answer: str) -> GroundedPoint:
    if not covered:
        return GroundedPoint(key_point, False, "")
    reason: Dropped | None = None
    if not normalise(quote).strip(_EDGE):
        reason = Dropped.NO_QUOTE
    elif len(normalise(quote)) > QUOTE_MAX_CHARS:
        reason = Dropped.TOO_LONG
    elif not quote_stands(quote, answer):
        reason = Dropped.NOT_IN_ANSWER
    elif not _shares_a_word(quote, key_point):
        reason = Dropped.OFF_POINT
    if reason is not None:
        return GroundedPoint(key_point, False, "", reason)
    return GroundedPoint(key_point, True, quote.strip())


def grounded(judgement: Judgement, request: JudgeRequest) -> GroundedJudgement:
    """`judgement` with each point kept only where its quote stands in `request.answer`, and its feedback cleaned.

    Raises ValueError when the judgement does not have one point per key point (the adapter checks that first)."""
    if len(judgement.points) != len(request.key_points):
        raise ValueError(f"{len(judgement.points)} judged points for {len(request.key_points)} key points")
    points = tuple(
        _ground_point(key_point, point.covered, point.quote, request.answer)
        for key_point, point in zip(request.key_points, judgement.points)
    )
    return GroundedJudgement(points, clean_feedback(first_sentences(judgement.feedback)), judgement.model)


_SENTENCE_END = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[\"'(\[]*[A-Z0-9])")


def first_sentences(text: str, count: int = FEEDBACK_MAX_SENTENCES) -> str:
    """The first `count` sentences of `text` (a sentence ends at . ! or ? before a capital or a digit)."""
    ends = [m.end(1) for m in _SENTENCE_END.finditer(text.strip())]
    return text.strip() if len(ends) < count else text.strip()[: ends[count - 1]]


# Mentions and broadcasts, in Slack's and Discord's markup and as plain words, each with what replaces it.
_MENTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<!(?:here|channel|everyone)(?:\|[^>]*)?>", re.I), ""),
    (re.compile(r"<!subteam\^[^>]*>", re.I), ""),
    (re.compile(r"<!date\^[^>]*>", re.I), ""),
    (re.compile(r"<[@#][!&]?[A-Za-z0-9]+(?:\|[^>]*)?>"), ""),
    (re.compile(r"<(?:a?:\w+:\d+|t:\d+(?::\w)?)>"), ""),
    (re.compile(r"(?<![\w])@+(here|channel|everyone|all)\b", re.I), r"\1"),
    (re.compile(r"(?<![\w])@(?=\w)"), ""),
]


def clean_feedback(text: str, limit: int = FEEDBACK_MAX_CHARS) -> str:
    """`text` safe to post: no mention or broadcast that could ping anyone (Slack's <!here>, <@U…>, Discord's
    <@123>, <@&123>, @everyone, ...), control characters and surplus whitespace removed, cut at a word boundary to
    at most `limit` characters (with an ellipsis when cut)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else "" for ch in text)
    for pattern, replacement in _MENTIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    text = re.sub(r"\n{2,}", "\n", text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\n") + "…"


def judgement_key(model: str, request: JudgeRequest, revision: str = "") -> str:
    """A fingerprint of what a judgement depends on: the model and the judge's instructions (`revision`), the
    question, its hint, key points and model answer, and the answer text (hex SHA-256). Two requests with the same
    key get the same judgement, so a stored result under this key never needs paying for again."""
    material = json.dumps(
        ["prepbot-judgement-v1", model, revision, request.question, request.hint, list(request.key_points),
         request.model_answer, request.answer],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
