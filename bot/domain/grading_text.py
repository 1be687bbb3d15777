"""The grader's reading of text: words with their place in the original, normalised and stemmed.

Every word keeps the span of the original text it came from, so feedback can quote what a member wrote. Words are
lower-cased and stripped of accents; the field's abbreviations, numbers and symbols are normalised ("TP" reads as
"tensor parallelism", "1%" as "1 percent", "A/B" as "ab"); every word is stemmed with the Snowball English stemmer,
so "serialize", "serialized" and "serialization" read alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
# A word: letters and digits; apostrophes inside a word keep contractions ("don't") whole.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|%|[.!?;:\n]|,|\(|\)|/|\+|&")
_SENTENCE_END = frozenset(".!?;\n")
_CLAUSE_END = frozenset(",:()")
_SEGMENT_END = frozenset(":()")

# Abbreviations the field uses, read as the words they stand for (both in answers and in terms).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "tp": ("tensor", "parallelism"),
    "pp": ("pipeline", "parallelism"),
    "dp": ("data", "parallelism"),
    "ttft": ("time", "to", "first", "token"),
    "tpot": ("time", "per", "output", "token"),
    "itl": ("inter", "token", "latency"),
    "hbm": ("high", "bandwidth", "memory"),
    "kv": ("kv",),
    "k8s": ("kubernetes",),
    "qps": ("requests", "per", "second"),
    "rps": ("requests", "per", "second"),
    "tps": ("tokens", "per", "second"),
    "oom": ("out", "of", "memory"),
    "ooms": ("out", "of", "memory"),
    "oomed": ("out", "of", "memory"),
    "llm": ("large", "language", "model"),
    "llms": ("large", "language", "models"),
    "rca": ("root", "cause", "analysis"),
    "e2e": ("end", "to", "end"),
    "cicd": ("ci", "cd"),
    "mtls": ("mutual", "tls"),
    "ssl": ("tls",),
    "http2": ("http", "2"),
    "rbac": ("role", "based", "access", "control"),
    "slas": ("sla",),
    "slos": ("slo",),
    "gpus": ("gpu",),
    "cpus": ("cpu",),
    "tpus": ("tpu",),
    "apis": ("api",),
    "vms": ("vm",),
    "fp8": ("fp8",),
    "bf16": ("bf16",),
    "fp16": ("fp16",),
    "fp32": ("fp32",),
    "int8": ("int8",),
    "int4": ("int4",),
    "reqs": ("requests",),
    "req": ("requests",),
    "w": ("with",),
    "w/o": ("without",),
    "wo": ("without",),
}

# Spellings that run two tokens together or apart, mapped before words are read.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\ba\s*/\s*b\b"), "ab"),
    (re.compile(r"\bci\s*/\s*cd\b"), "ci cd"),
    (re.compile(r"\bw/o\b"), "wo"),
    (re.compile(r"\bhttp\s*/\s*2\b"), "http 2"),
    (re.compile(r"\breq(?:uest)?s?\s*/\s*s(?:ec(?:ond)?)?\b"), "rps"),
    (re.compile(r"\b(int|fp|bf)[\s-]+(4|8|16|32)\b"), r"\1\2"),
    (re.compile(r"\bp[\s-]+(50|90|95|99|999)\b"), r"p\1"),
    (re.compile(r"\b(50|90|95|99|999)(?:th|st|nd|rd)?[\s-]+percentile\b"), r"p\1"),
    (re.compile(r"\bkv[\s-]*caches?\b"), "kv cache"),
    (re.compile(r"\bper\s*cent\b"), "percent"),
)

STOP_WORDS = frozenset(
    "a an the of to in on at by for from with as into onto over per via and or but if then so than that this "
    "these those it its it's is are was were be been being am do does did doing have has had having i i'd i'll "
    "i'm i've we we'd we'll we're we've you you'd you'll you're your our my me us they them their he she his her "
    "would will could should can may might must shall just also very really there here which who whom what "
    "when where why how all any each some such own same other about up out".split()
)

# Words that negate what follows them in the same clause.
NEGATORS = frozenset(
    "not no never without avoid avoiding skip skipping neither nor none nothing cannot don't doesn't didn't "
    "won't wouldn't shouldn't can't couldn't isn't aren't wasn't weren't haven't hasn't hadn't mustn't needn't "
    "dont doesnt didnt wont wouldnt shouldnt cant couldnt isnt arent wasnt havent hasnt "
    "ditch ditching forget nobody".split()
)
# Words that say what precedes them (in the same clause) is not wanted: "OAuth is overkill".
POST_NEGATORS = frozenset("overkill unnecessary pointless useless needless irrelevant overrated waste".split())
# After a negator, these say what precedes them is not wanted: "TLS isn't required", "drift doesn't matter".
POST_NEGATED = frozenset("need needed required necessary matter matters help helps option worth important "
                         "useful something relevant concern problem issue deal priority".split())
# Words that end the reach of a negation inside a sentence.
CONTRASTS = frozenset("but however instead though although whereas yet rather then later afterwards".split())

FILLER = frozenset(
    "um umm uh uhh er hmm yeah yep yes ok okay like basically stuff things thing etc lol idk whatever blah "
    "kinda sorta maybe probably well anyway anyways actually literally honestly stuffs sure definitely obviously "
    "certainly totally absolutely super cool nice great awesome lol lmao haha".split()
)


def stem(word: str) -> str:
    """The Snowball English stem of one lower-case word."""
    return _stem(word)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))


_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """Lower-case without accents or invisible characters, and for each character of the result the index of the
    character of `text` it came from (so that spans point into what the member wrote)."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c)) or ch
        for folded in base.casefold():
            out.append(folded)
            origin.append(index)
    return "".join(out), tuple(origin)


@dataclass(frozen=True)
class Word:
    """One word as the grader reads it: its normal form, stem, and the span of the original text it stands for."""

    norm: str
    stem: str
    start: int
    end: int
    sentence: int
    clause: int
    segment: int  # parts of a sentence set apart by a colon or brackets: a negation stays inside its part


@dataclass(frozen=True)
class Reading:
    """A text read for grading: its words in order (punctuation removed) and the original text."""

    text: str
    words: tuple[Word, ...]

    def quote(self, first: int, last: int) -> str:
        """The member's own words from word `first` to word `last` (inclusive), as written, with what is written
        against them ("1%" for a term that starts at "%", read as "percent")."""
        while first > 0 and self.words[first - 1].end >= self.words[first].start:
            first -= 1
        while last + 1 < len(self.words) and self.words[last + 1].start <= self.words[last].end:
            last += 1
        return self.text[self.words[first].start:self.words[last].end]


def _rewrite(folded: str) -> tuple[str, list[tuple[int, int]]]:
    """Applies the spelling rewrites; none makes the text longer, and a shorter result is padded with spaces, so
    positions still point to the same characters. Also returns the rewritten regions, so that a word read from one
    quotes the whole region ("99th percentile", not "99t")."""
    regions: list[tuple[int, int]] = []
    for pattern, replacement in _REWRITES:
        def keep_length(match: re.Match[str], replacement: str = replacement) -> str:
            regions.append((match.start(), match.end()))
            return match.expand(replacement).ljust(match.end() - match.start())
        folded = pattern.sub(keep_length, folded)
    return folded, regions


@lru_cache(maxsize=8192)
def read(text: str) -> Reading:
    """Reads `text` into words: folded, rewritten, abbreviations expanded, stemmed; sentences and clauses numbered."""
    folded, origin = fold(text)
    rewritten, regions = _rewrite(folded)
    words: list[Word] = []
    sentence = clause = segment = 0
    previous_number = False
    for match in _TOKEN.finditer(rewritten):
        token = match.group()
        first, last = match.start(), match.end()
        for region_start, region_end in regions:
            if region_start <= first < region_end:
                first, last = region_start, max(last, region_end)
        while last > first + 1 and rewritten[last - 1] == " " and folded[last - 1] == " ":
            last -= 1
        start, end = origin[first], origin[last - 1] + 1
        if token in _SENTENCE_END:
            if token == "." and _inside_a_word(rewritten, match.start()):
                continue
            sentence += 1
            clause += 1
            segment += 1
            previous_number = False
            continue
        if token in _CLAUSE_END:
            clause += 1
            segment += token in _SEGMENT_END
            previous_number = False
            continue
        if token in ("/", "&", "+"):
            continue
        if token == "%":
            if previous_number:
                words.append(Word("percent", "percent", start, end, sentence, clause, segment))
            previous_number = False
            continue
        token = token.replace("’", "'")
        expansion = ABBREVIATIONS.get(token)
        if expansion is None:
            if "'" in token and token not in NEGATORS and token not in STOP_WORDS:
                token = token.split("'")[0]
            expansion = (token,)
        for part in expansion:
            words.append(Word(part, stem(part), start, end, sentence, clause, segment))
        previous_number = token.isdigit()
    return Reading(text, tuple(words))


_ABBREVIATED = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|eg|ie|approx|incl|resp|cf))$")


def _inside_a_word(text: str, at: int) -> bool:
    """Whether the full stop at `at` is part of a word or an abbreviation, not the end of a sentence: "torch.save",
    "3.5", "e.g.", "etc."."""
    if 0 < at < len(text) - 1 and text[at - 1].isalnum() and text[at + 1].isalnum():
        return True
    return bool(_ABBREVIATED.search(text[max(0, at - 8):at]))
