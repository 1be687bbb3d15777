"""The offline grader: which key points an answer explains, deterministic and explainable.

A key point's terms are words and phrases; the answer and the terms are read alike (bot.domain.grading_text), so a
term matches the answer's words after stemming, in order, stop words aside ("save the model" matches "saving a
model"); written together or apart ("rollback", "roll back", "roll-back") they are the same. A term word that is not
a word itself (a legacy prefix such as `serializ`) still matches words that start with it and go on with a common
ending. A mention counts when

- the term says something beyond the question's own words and beyond words too common in the field to say anything
  alone (`monitor`, `memory`, `latency`, ...);
- it is not negated ("I would not profile", "avoid kernel fusion", "keep the batch size as is", "OAuth is overkill");
- and it stands in an explanation: a sentence that says something about it. A point that is only named (in a bare
  list of terms, or terms padded with filler) earns a small share of the point.

An answer that says nothing about the question (a greeting, "no idea", a word or two) is not an attempt.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from bot.domain.grading_text import (
    CONTRASTS,
    FILLER,
    NEGATORS,
    POST_NEGATED,
    POST_NEGATORS,
    STOP_WORDS,
    Reading,
    read,
    stem,
)
from bot.domain.questions import KeyPoint, Question

GRADER = "explanations-2"  # stored with every result it scores; a new rule or weight is a new version
# explanations-2: a key term alone is not an attempt; one sentence needs a word of its own per point it explains; a
# clause that rules a point out shows none of it; a negation inside another point's term negates nothing; a phrase
# of one content word and small words ("over time") matches word for word.
EXPLANATION_GRADERS = "explanations-"  # every version of this grader is named so
LEGACY_GRADER = "prefixes-0"  # the word-prefix matcher that scored rounds before explanations-1
NAMED_SHARE = 0.25  # the share of a point that naming it without explaining it earns
NEGATION_REACH = 16  # words a negation reaches forward in its sentence
APPROACH_WORDS = 14  # words of an answer's own approach the reveal quotes
SAYS_NOTHING = 8  # content words under which "no idea", "later", "pass" and the like mean the answer says nothing
RESTATED_SHARE = 0.5  # at most this share of an attempt's words may be the question's, when it has none of the field's

_SUFFIXES = frozenset(
    "s es e ed d ing ings er ers or ors ion ions ation ations ization izations ize izes ized izing ise ised ising "
    "able ably ability abilities ible ibility ic ics ical ically ism ist ists istic ity ities ive ively ivity ly "
    "ment ments ness ous ously ful ance ances ence ences ent ently ant cy cies y ies ied al ally ate ated ates "
    "ating ator ators ial ially tion tions ted ting t ts ce ces le les ility ilities ure ures ured uring ement "
    "ements e's 's".split()
)
# Words so common in the field that alone they say nothing (as stems).
COMMON = frozenset(stem(w) for w in (
    "monitor monitoring memory cost costs latency latencies track tracking deploy deployment deployments model "
    "models serve serving server servers data performance performant metric metrics system systems use usage "
    "using").split()
)
# Words that carry a sentence's grammar: with content words around them, they make it say something.
GRAMMAR = frozenset(
    (STOP_WORDS - {"and", "or", "also", "just", "very", "really", "etc"})
    | {"because", "since", "before", "after", "until", "unless", "while", "whether", "instead", "first", "then",
       "need", "needs", "make", "makes", "let", "lets", "keep", "keeps", "get", "gets", "want", "check", "see",
       "put", "give", "means", "mean", "find", "know", "not", "no", "never", "without", "only", "both", "either"}
)
# Words whose place after a clause break starts a new statement, ending a negation's reach.
_RESTARTERS = frozenset("i i'd i'll i'm we we'd we'll you you'd it they let's just then instead so use".split())
# Field vocabulary: with the question's and the terms' words, what an answer that names no key point must use to be an
# attempt.
FIELD = frozenset(stem(w) for w in (
    "model serve server serving latency throughput gpu cpu tpu memory batch batching cache deploy deployment "
    "endpoint api request response respond traffic scale replica pod container docker kubernetes queue load "
    "balancer canary rollback revert version monitor metric log alert error test pipeline data feature train "
    "training inference predict prediction accuracy quantize quantization token cost performance profile kernel "
    "network security auth encrypt config rollout release fast slow speed bottleneck cluster node instance "
    "hardware fail failure retry timeout incident debug pytorch tensorflow onnx triton service infrastructure "
    "drift dashboard tradeoff trade benchmark measure optimize compile precision weight parameter checkpoint file "
    "format schema input output client upgrade bigger smaller restart crash outage slo sla budget autoscale "
    "autoscaling capacity concurrency async uptime availability available health healthy").split()
)
_NON_ATTEMPT = (("no", "idea"), ("don't", "know"), ("dont", "know"), ("not", "sure"), ("no", "clue"), ("idk",),
                ("dunno",), ("pass",), ("skip",), ("tbd",), ("tomorrow",), ("later",), ("sorry",), ("by", "the", "way"),
                ("btw",), ("wrong", "thread"), ("never", "heard"), ("no", "story"), ("don't", "have"),
                ("haven't", "had"), ("no", "experience"), ("off", "topic"), ("never", "used"), ("never", "worked"),
                ("never", "done"), ("haven't", "used"), ("haven't", "done"), ("not", "familiar"), ("out", "sick"))
# Words that make a negation a limit, not a rejection ("never more than 5 percent to the canary").
_COMPARATIVES = frozenset("more less fewer longer later earlier higher lower above below exceed exceeds than".split())
# Words after a mention that end the reach of a rejection after it ("use TLS so attackers can't read it").
_CONNECTORS = frozenset("so because since which that when if where while unless".split())
# A subject right before a negation after a mention: the mention was the object put first ("updates I'd never do").
_SUBJECTS = frozenset("i i'd i'll we we'd we'll you you'd they".split())
# Words that add nothing to the terms around them.
_PADDING = frozenset("answer way ways something everything anything lot lots bit done part parts one".split())
_POST_PHRASES = frozenset({("out", "of", "the", "question"), ("no", "way"), ("bad", "idea"), ("waste", "of"),
                           ("not", "worth"), ("never", "worth"), ("no", "go"), ("no", "difference")})


class PointStatus(str, Enum):
    """How an answer dealt with one key point."""

    EXPLAINED = "explained"  # said something about it: the point counts
    NAMED = "named"  # named it without explaining it: a small share
    NEGATED = "negated"  # mentioned it only to rule it out: nothing
    MISSED = "missed"


@dataclass(frozen=True)
class PointCoverage:
    """One key point for one answer: whether it counts (`covered`: explained), the member's own words that showed
    it (`matched_term`), the status, and the point's "why it matters" line."""

    point: str
    covered: bool
    matched_term: str | None
    status: PointStatus = PointStatus.MISSED
    why: str = ""

    @property
    def share(self) -> float:
        return 1.0 if self.covered else NAMED_SHARE if self.status is PointStatus.NAMED else 0.0


@dataclass(frozen=True)
class Coverage:
    """An answer's grade: each key point's coverage, whether the answer is an attempt, and the grader's name."""

    points: tuple[PointCoverage, ...]
    attempt: bool = True
    grader: str = GRADER
    explanations: int = 0  # sentences of the answer that explain something, whether or not a key point
    approach: str = ""  # the start of the first sentence that explains something no key point names, as written

    @property
    def covered(self) -> int:
        return sum(1 for p in self.points if p.covered)

    @property
    def named(self) -> int:
        return sum(1 for p in self.points if p.status is PointStatus.NAMED)

    @property
    def total(self) -> int:
        return len(self.points)

    @property
    def ratio(self) -> float:
        return sum(p.share for p in self.points) / self.total if self.total else 0.0


# ---- terms ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    text: str
    words: tuple[str, ...]  # normal forms, stop words aside
    stems: tuple[str, ...]
    squashed: str  # the stem of the whole term written as one word ("rollback")
    # A phrase whose small words carry its meaning ("over time", "fan out", "lock in"): matched word for word, small
    # words included, since its one content word alone says something else. Empty for other terms.
    phrase: tuple[tuple[str, str], ...] = ()


@lru_cache(maxsize=16384)
def _compile(term: str) -> _Term | None:
    reading = read(term)
    kept = [w for w in reading.words if w.norm not in STOP_WORDS or w.norm in NEGATORS]
    if not kept:
        return None
    negative = any(w.norm in NEGATORS for w in kept)
    squashed = "" if negative else stem("".join(w.norm for w in reading.words if w.norm.isalnum()))
    phrase = tuple((w.norm, w.stem) for w in reading.words) if len(kept) == 1 < len(reading.words) else ()
    return _Term(term, tuple(w.norm for w in kept), tuple(w.stem for w in kept), squashed, phrase)


@lru_cache(maxsize=16384)
def _core(term: _Term) -> _Term | None:
    """For a term that says what not to do ("don't run as root"), the rest of it ("run as root"): negated in any
    way in an answer ("the server never runs as root"), it shows the point."""
    kept = [(n, s) for n, s in zip(term.words, term.stems) if n not in NEGATORS]
    if len(kept) == len(term.words) or not kept:
        return None
    return _Term(term.text, tuple(n for n, _ in kept), tuple(s for _, s in kept), "")


@lru_cache(maxsize=65536)
def _word_matches(term_norm: str, term_stem: str, norm: str, word_stem: str) -> bool:
    if term_stem == word_stem or term_norm == norm:
        return True
    if len(term_norm) < 4 or not norm.startswith(term_norm):
        return False
    rest = norm[len(term_norm):]
    return rest in _SUFFIXES or rest.isdigit() or (len(rest) > 1 and rest[0] == term_norm[-1] and rest[1:] in _SUFFIXES)


@lru_cache(maxsize=4096)
def _question_words(question: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({(w.norm, w.stem) for w in read(question).words if w.norm not in STOP_WORDS}))


def _question_stems(question: str) -> frozenset[str]:
    return frozenset(s for _, s in _question_words(question))


@lru_cache(maxsize=65536)
def _is_question_word(norm: str, word_stem: str, question: str) -> bool:
    return any(_word_matches(norm, word_stem, n, s) for n, s in _question_words(question))


def _informative(term: _Term, question: str) -> bool:
    """A term says something when it has words beyond the question's own, and they are not a single word too
    common in the field ("monitor" alone is not enough, "monitor error rates" and "monitor metrics" are)."""
    own = [s for n, s in zip(term.words, term.stems) if n not in NEGATORS and not _is_question_word(n, s, question)]
    return bool(own) and not (len(own) == 1 and own[0] in COMMON)


# ---- the answer -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mention:
    point: int
    first: int  # word indexes in the reading
    last: int


class _Answer:
    """An answer's reading with the indexes the matching needs."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        words = reading.words
        self.content = [i for i, w in enumerate(words) if w.norm not in STOP_WORDS or w.norm in NEGATORS]
        self.by_stem: dict[str, list[int]] = {}
        for position, index in enumerate(self.content):
            self.by_stem.setdefault(words[index].stem, []).append(position)
        self.norms: dict[str, list[int]] = {}
        for position, index in enumerate(self.content):
            self.norms.setdefault(words[index].norm, []).append(position)
        self.by_start: dict[str, list[str]] = {}  # the answer's words by their first four letters
        for norm in self.norms:
            self.by_start.setdefault(norm[:4], []).append(norm)
        self.sentences: dict[int, list[int]] = {}
        for index, word in enumerate(words):
            self.sentences.setdefault(word.sentence, []).append(index)
        self.mention_clauses: set[int] = set()  # clauses that mention a key point, once they are found
        self.term_negators: set[int] = set()  # negators that are part of a term found ("without affecting")
        self.clause_size: dict[int, int] = {}
        for word in words:
            self.clause_size[word.clause] = self.clause_size.get(word.clause, 0) + 1
        self.joined: dict[str, tuple[int, int]] = {}
        for start in range(len(words)):
            text = words[start].norm
            for end in range(start + 1, min(start + 3, len(words))):
                if words[end].sentence != words[start].sentence or words[end].start == words[end - 1].start:
                    break
                text += words[end].norm
                self.joined.setdefault(stem(text), (start, end))

    def find(self, term: _Term) -> list[tuple[int, int]]:
        """Where `term` stands in the answer, as (first, last) word indexes."""
        if term.phrase:
            return self._find_phrase(term)
        words = self.reading.words
        found: list[tuple[int, int]] = []
        first_norm, first_stem = term.words[0], term.stems[0]
        starts = set(self.by_stem.get(first_stem, ()))
        if len(first_norm) >= 4:
            for norm in self.by_start.get(first_norm[:4], ()):
                positions = self.norms[norm]
                if norm != first_norm and norm.startswith(first_norm):
                    if _word_matches(first_norm, first_stem, norm, words[self.content[positions[0]]].stem):
                        starts.update(positions)
        else:
            starts.update(self.norms.get(first_norm, ()))
        span = len(term.words)
        for position in sorted(starts):
            if position + span > len(self.content):
                continue
            indexes = self.content[position:position + span]
            if words[indexes[-1]].sentence != words[indexes[0]].sentence:
                continue
            if all(_word_matches(term.words[k], term.stems[k], words[i].norm, words[i].stem)
                   for k, i in enumerate(indexes)):
                found.append((indexes[0], indexes[-1]))
        self._find_squashed(term, found)
        return found

    def _find_squashed(self, term: _Term, found: list[tuple[int, int]]) -> None:
        """Adds where the term stands written as one word, or its words written together ("rollback")."""
        if not term.squashed:
            return
        joined = self.joined.get(term.squashed)
        if joined is None and len(term.squashed) >= 2 and term.squashed != term.stems[0]:
            at = self.by_stem.get(term.squashed)
            joined = (self.content[at[0]], self.content[at[0]]) if at else None
        if joined is not None and joined not in found:
            found.append(joined)

    def _find_phrase(self, term: _Term) -> list[tuple[int, int]]:
        """Where a phrase term stands word for word, its small words as written (its content word in any form), or
        written as one word ("fanout")."""
        words = self.reading.words
        size = len(term.phrase)
        content = next(k for k, (norm, _) in enumerate(term.phrase) if norm == term.words[0])
        found: list[tuple[int, int]] = []
        for position in self.by_stem.get(term.stems[0], ()):
            first = self.content[position] - content
            if first < 0 or first + size > len(words) or words[first].sentence != words[first + size - 1].sentence:
                continue
            if all(words[first + k].norm == norm or (k == content and _word_matches(norm, stem_, words[first + k].norm,
                                                                                     words[first + k].stem))
                   for k, (norm, stem_) in enumerate(term.phrase)):
                found.append((first, first + size - 1))
        self._find_squashed(term, found)
        return found

    def negated(self, first: int, last: int) -> bool:
        """Whether the words from `first` to `last` are negated: an odd number of negators reaching them from
        before (in their sentence, not past a contrast or a new statement), or a rejection right after them."""
        words = self.reading.words
        count = 0
        index = first - 1
        reach = 0
        cancel_until = -1
        segment = words[first].segment
        while index >= 0 and words[index].segment == segment and reach < NEGATION_REACH:
            word = words[index]
            following = words[index + 1].norm if index + 1 < len(words) else ""
            if (word.norm, following) in (("instead", "of"), ("rather", "than")):
                count += 1
            elif word.norm in CONTRASTS or (word.norm in _SUBJECTS and count == 0):
                break  # a contrast, or the subject of the mention's own statement ("if it doesn't fit, you shard")
            if words[index + 1].clause != word.clause and (
                    count or words[index + 1].norm in _RESTARTERS or word.clause not in self.mention_clauses):
                break  # a negation reaches back over a list of mentions ("no keys, tokens or OAuth"), not further
            elif (word.norm in NEGATORS and index not in self.term_negators and following not in ("only", "just")
                  and not any(w.norm in _COMPARATIVES for w in words[index + 1:min(index + 4, first)])):
                count += 1
                cancel_until = index - 3
            if count and index <= cancel_until:
                break  # a second negation cancels the first only right before it ("never ... without")
            reach += 1
            index -= 1
        if count % 2 == 1:
            return True
        return self._rejected_after(last)

    def _rejected_after(self, last: int) -> bool:
        """A rejection in the words that follow, in the same clause: "OAuth is overkill", "TLS isn't required",
        "CPU instances are out of the question", "updates I'd never do that way", "keep the batch size as is"."""
        words = self.reading.words
        clause = words[last].clause
        after = [w.norm for w in words[last + 1:last + 13] if w.clause == clause]
        for k, norm in enumerate(after):
            if norm in CONTRASTS or norm in _CONNECTORS:
                return False
            if norm in POST_NEGATORS or tuple(after[k:k + 4]) in _POST_PHRASES or tuple(after[k:k + 2]) in \
                    _POST_PHRASES:
                return True
            if norm in _SUBJECTS and k + 1 < len(after) and after[k + 1] in NEGATORS:
                return True
            if norm in NEGATORS and any(n in POST_NEGATED for n in after[k + 1:k + 4]):
                return True
            if norm in ("unchanged", "untouched", "alone") or (norm == "as" and after[k + 1:k + 2] == ["is"]):
                return any(w.norm in ("keep", "leave", "left", "keeping", "leaving") for w in
                           words[max(0, last - 6):last])
        return False

    def explains(self, sentence: int, mentions: Sequence[_Mention]) -> bool:
        """Whether a sentence says something about what it mentions: enough words, grammar that links them, and
        words beyond the terms."""
        indexes = self.sentences.get(sentence, [])
        words = [self.reading.words[i] for i in indexes]
        term_indexes = {i for m in mentions for i in range(m.first, m.last + 1)}
        base = indexes[0] if indexes else 0
        meaningful = [w for w in words if w.norm not in FILLER]
        sizes = [self.clause_size[clause] for clause in {w.clause for w in words} if self.clause_size[clause] >= 2]
        short = [size for size in sizes if size <= 3]
        if len(short) >= 3 and sum(short) >= 0.7 * len(words):
            return False  # mostly short fragments between commas: a list
        grammar = sum(1 for w in meaningful if w.norm in GRAMMAR)
        other = [w.norm for k, w in enumerate(words) if base + k not in term_indexes and w.norm not in FILLER
                 and w.norm not in STOP_WORDS and w.norm not in NEGATORS]
        # Each point a sentence names needs a word of its own there: several terms strung together with grammar
        # and a word or two of padding ("the answer is to profile and quantize the thing") explain none of them.
        substantive = sum(1 for norm in other if norm not in _PADDING)
        points = len({m.point for m in mentions})
        return len(meaningful) >= 5 and bool(other) and grammar >= 2 and (points < 2 or substantive >= points)

    def opening(self, sentence: int, words: int = APPROACH_WORDS) -> str:
        """The first `words` words of a sentence as written, with an ellipsis when there are more."""
        indexes = self.sentences[sentence]
        shown = indexes[:words]
        quote = self.reading.quote(shown[0], shown[-1])
        return quote + "…" if len(indexes) > words else quote

    def templated(self, by_sentence: dict[int, list[_Mention]]) -> set[int]:
        """Sentences that are one short template filled with different terms ("I would X for sure. I would use Y
        for sure."): padding, not explanation. Two sentences are one template when most of their other words are
        the same."""
        skeletons: list[tuple[int, frozenset[str]]] = []
        for sentence, mentions in by_sentence.items():
            inside = {i for m in mentions for i in range(m.first, m.last + 1)}
            skeleton = frozenset(self.reading.words[i].norm for i in self.sentences.get(sentence, [])
                                 if i not in inside and self.reading.words[i].norm not in FILLER)
            if 2 <= len(skeleton) <= 8:
                skeletons.append((sentence, skeleton))
        templated: set[int] = set()
        for (one, first), (other, second) in itertools.combinations(skeletons, 2):
            if len(first & second) >= 3 and len(first & second) / len(first | second) >= 0.5:
                templated.update((one, other))
        return templated

    def listed(self, mentions: Sequence[_Mention]) -> set[int]:
        """Points mentioned in a run of three or more points with next to nothing between them: a list."""
        words = self.reading.words
        ordered = sorted(mentions, key=lambda m: m.first)
        listed: set[int] = set()
        run: list[_Mention] = []
        for mention in ordered:
            if run:
                between = [w for w in words[run[-1].last + 1:mention.first] if w.norm not in FILLER
                           and w.norm not in ("and", "or", "also", "plus", "then")]
                if between and (len(between) > 1 or words[run[-1].last].sentence != words[mention.first].sentence):
                    if len({m.point for m in run}) >= 3:
                        listed.update(m.point for m in run)
                    run = []
            if not run or mention.first > run[-1].last:
                run.append(mention)
        if len({m.point for m in run}) >= 3:
            listed.update(m.point for m in run)
        return listed


# ---- grading --------------------------------------------------------------------------------------------------


def grade(text: str, question: Question) -> Coverage:
    """Which of the question's key points `text` explains, names, or rules out, and whether it is an attempt."""
    return _grade(text, question.question, question.key_points, _relevant(question))


def assess(text: str, key_points: tuple[KeyPoint, ...], question: str = "") -> Coverage:
    """`grade` for key points outside a question (`question` is the text whose words earn nothing alone)."""
    return _grade(text, question, key_points, frozenset())


def mentioned(text: str, question: Question) -> tuple[bool, ...]:
    """For each key point, whether `text` names it (explained or not, never negated): what pack validation checks
    of a hint (every point) and of the question text (none)."""
    coverage = _grade(text, question.question, question.key_points, frozenset())
    return tuple(p.status in (PointStatus.EXPLAINED, PointStatus.NAMED) for p in coverage.points)


def earnable(question: Question) -> tuple[bool, ...]:
    """For each key point, whether any of its terms can count: one with a word beyond the question's own words and
    the words too common in the field."""
    return tuple(bool(_terms(k.terms, question.question)) for k in question.key_points)


def _grade(text: str, question_text: str, key_points: tuple[KeyPoint, ...], relevant: frozenset[str]) -> Coverage:
    answer = _Answer(read(text))
    question_stems = _question_stems(question_text)
    mentions: list[_Mention] = []
    negated_quote: dict[int, str] = {}
    terms = [(number, term) for number, key_point in enumerate(key_points)
             for term in _terms(key_point.terms, question_text)]
    occurrences = [(number, first, last) for number, term in terms for first, last in answer.find(term)]
    turned = [(number, first, last) for number, term in terms if (core := _core(term)) is not None
              for first, last in answer.find(core)]
    answer.mention_clauses = {answer.reading.words[first].clause for _, first, _ in occurrences + turned}
    answer.term_negators = {i for _, first, last in occurrences for i in range(first, last + 1)
                            if answer.reading.words[i].norm in NEGATORS}
    ruled_out: set[tuple[int, int]] = set()  # (point, clause): a clause that rules a point out shows none of it
    for number, first, last in occurrences:
        if answer.negated(first, last):
            negated_quote.setdefault(number, answer.reading.quote(first, last))
            ruled_out.add((number, answer.reading.words[first].clause))
        else:
            mentions.append(_Mention(number, first, last))
    mentions = [m for m in mentions if (m.point, answer.reading.words[m.first].clause) not in ruled_out]
    for number, first, last in turned:
        if answer.negated(first, last):
            words = answer.reading.words
            start = next((i for i in range(first - 1, max(first - 5, -1), -1)
                          if words[i].norm in NEGATORS and words[i].sentence == words[first].sentence), first)
            mentions.append(_Mention(number, start, last))
    by_sentence: dict[int, list[_Mention]] = {}
    for mention in mentions:
        by_sentence.setdefault(answer.reading.words[mention.first].sentence, []).append(mention)
    templated = answer.templated(by_sentence)
    explained: dict[int, _Mention] = {}
    named: dict[int, _Mention] = {}
    for sentence, found in sorted(by_sentence.items()):
        listed = answer.listed(found)
        explaining = sentence not in templated and answer.explains(sentence, found)
        for mention in sorted(found, key=lambda m: m.first):
            if explaining and mention.point not in listed:
                explained.setdefault(mention.point, mention)
            else:
                named.setdefault(mention.point, mention)
    points = []
    for number, key_point in enumerate(key_points):
        best = explained.get(number) or named.get(number)
        if number in explained:
            status = PointStatus.EXPLAINED
        elif number in named:
            status = PointStatus.NAMED
        elif number in negated_quote:
            status = PointStatus.NEGATED
        else:
            status = PointStatus.MISSED
        quote = answer.reading.quote(best.first, best.last) if best else negated_quote.get(number)
        points.append(PointCoverage(key_point.point, status is PointStatus.EXPLAINED, quote, status, key_point.why))
    said = [sentence for sentence in sorted(answer.sentences)
            if answer.explains(sentence, by_sentence.get(sentence, ()))]
    own = next((sentence for sentence in said if sentence not in by_sentence), None)
    attempt = _is_attempt(answer, question_stems, relevant, names_a_point=bool(mentions), explains=bool(said))
    approach = answer.opening(own) if own is not None and attempt else ""
    return Coverage(tuple(points), attempt, explanations=len(said), approach=approach)


def _terms(terms: Iterable[str], question: str) -> list[_Term]:
    compiled = (_compile(t) for t in terms)
    return [t for t in compiled if t is not None and _informative(t, question)]


def _relevant(question: Question) -> frozenset[str]:
    return _relevant_stems(question.hint, question.model_answer,
                           tuple((k.point, k.terms) for k in question.key_points), question.question)


@lru_cache(maxsize=4096)
def _relevant_stems(hint: str, model_answer: str, points: tuple[tuple[str, tuple[str, ...]], ...],
                    question: str) -> frozenset[str]:
    texts = [question, *(t for _, terms in points for t in terms)]
    stems = {w.stem for text in texts for w in read(text).words if w.norm not in STOP_WORDS and w.norm not in GRAMMAR}
    return frozenset(stems | FIELD)


def _is_attempt(answer: _Answer, question_stems: frozenset[str], relevant: frozenset[str],
                names_a_point: bool, explains: bool) -> bool:
    """An answer is an attempt when it has at least three words of content and either names a key point, or has a
    few words that bear on the subject and does not just say it has nothing to say: one of them its own (not the
    question's), or a sentence that explains (`explains`) in words mostly its own. A word or two, even a key term
    ("Quantization."), is not an attempt; nor is the question said again."""
    words = [w for w in answer.reading.words if w.norm not in FILLER]
    content = [w for w in words if w.norm not in STOP_WORDS and w.norm not in NEGATORS]
    if len(content) < 3 or all(w.stem in question_stems for w in content):
        return False
    if names_a_point:
        return True
    norms = [w.norm for w in words]
    for phrase in _NON_ATTEMPT:
        size = len(phrase)
        if any(tuple(norms[i:i + size]) == phrase for i in range(len(norms) - size + 1)) and len(content) < SAYS_NOTHING:
            return False
    wanted = relevant or FIELD | question_stems
    bearing = {w.stem for w in content if w.stem in wanted}
    if len(bearing) < 2:
        return False
    if bearing - question_stems:
        return True
    # In the question's own words, it is an attempt when it says something of its own about them: a sentence that
    # explains, in words mostly not the question's ("a feature store is like a database where teams reuse features").
    restated = sum(1 for w in content if w.stem in question_stems)
    return explains and restated <= RESTATED_SHARE * len(content)


# ---- what is stored -------------------------------------------------------------------------------------------


def to_json(coverage: Coverage) -> str:
    """The grade as stored with the result: whether it is an attempt, and per key point its status and the
    member's words."""
    return json.dumps({"attempt": coverage.attempt, "explanations": coverage.explanations,
                       **({"approach": coverage.approach} if coverage.approach else {}),
                       "points": [{"status": p.status.value, "words": p.matched_term} for p in coverage.points]},
                      ensure_ascii=False, separators=(",", ":"))


def from_json(stored: str, key_points: tuple[KeyPoint, ...], grader: str) -> Coverage | None:
    """The grade as it was stored (None when it does not fit the question's key points any more)."""
    try:
        data = json.loads(stored)
        found = [(PointStatus(p["status"]), p.get("words")) for p in data["points"]]
    except (ValueError, KeyError, TypeError):
        return None
    if len(found) != len(key_points):
        return None
    return Coverage(tuple(PointCoverage(k.point, status is PointStatus.EXPLAINED, words, status, k.why)
                          for k, (status, words) in zip(key_points, found)), bool(data.get("attempt", True)), grader,
                    int(data.get("explanations", 0)), str(data.get("approach", "")))
