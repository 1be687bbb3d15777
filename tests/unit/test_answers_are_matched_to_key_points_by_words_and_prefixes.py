"""An answer covers a key point when one of the point's terms appears in it, by the README's word rules."""

from bot.domain.matching import Coverage, assess, find_term, words
from bot.domain.questions import KeyPoint


def test_words_are_lower_cased():
    assert words("Serve The MODEL") == ["serve", "the", "model"]


def test_accents_are_removed_so_accented_and_plain_spellings_are_the_same_word():
    assert words("Café déjà-vu Naïve") == ["cafe", "deja", "vu", "naive"]


def test_zero_width_characters_and_soft_hyphens_do_not_split_a_word():
    assert words("ser\u200bial\u00adiza\u200dtion re\u2060load \ufeffgpu") == ["serialization", "reload", "gpu"]


def test_punctuation_slashes_hyphens_and_underscores_separate_words():
    assert words("A/B-testing") == ["a", "b", "testing"]
    assert words("p99_latency, (HTTP/2)!") == ["p99", "latency", "http", "2"]


def test_case_folding_turns_sharp_s_into_ss():
    assert words("Straße") == ["strasse"]


def test_emoji_and_punctuation_alone_are_no_words():
    assert words("🚀🔥 👍 ... !!!") == []


def test_a_term_word_of_four_or_more_characters_matches_any_word_starting_with_it():
    assert find_term("serializ", words("we serialized the model"))
    assert find_term("serializ", words("Serialization matters"))
    assert find_term("balanc", words("a load balancer"))


def test_a_prefix_term_must_match_the_start_of_a_word_not_its_middle():
    assert not find_term("serializ", words("we deserialize it"))


def test_a_short_term_word_must_equal_the_answer_word_or_its_plural():
    assert find_term("gpu", words("one GPU"))
    assert find_term("gpu", words("many GPUs"))
    assert not find_term("gpu", words("gpuz are fake"))
    assert not find_term("gpu", words("gpucluster"))


def test_a_three_letter_term_word_is_not_treated_as_a_prefix():
    assert not find_term("tls", words("tlsv1"))
    assert find_term("tls", words("use TLS"))


def test_a_multi_word_term_must_appear_as_consecutive_words_in_order():
    assert find_term("round robin", words("a Round-Robin scheduler"))
    assert not find_term("round robin", words("round the robin"))
    assert not find_term("round robin", words("robin round"))


def test_a_multi_word_term_applies_the_prefix_rule_to_each_of_its_words():
    assert find_term("fault toleran", words("it gives fault tolerance"))
    assert find_term("a b", words("we ran A/B tests"))
    assert not find_term("a b", words("a bee flew by"))


def test_a_term_of_only_punctuation_never_matches():
    assert not find_term("!!!", words("!!! anything"))


def _points() -> tuple[KeyPoint, ...]:
    return (
        KeyPoint("Routes a small share of traffic to the new version", ("canary", "small percentage", "traffic split")),
        KeyPoint("Monitors metrics", ("monitor", "metric", "dashboard")),
        KeyPoint("Rolls back on failure", ("rollback", "roll back", "revert")),
    )


def test_assess_names_the_first_term_in_the_key_points_order_that_matched():
    coverage = assess("Split traffic with a traffic split, then a canary and dashboards.", _points())
    assert [(p.point, p.covered, p.matched_term) for p in coverage.points] == [
        ("Routes a small share of traffic to the new version", True, "canary"),
        ("Monitors metrics", True, "dashboard"),
        ("Rolls back on failure", False, None),
    ]


def test_assess_counts_covered_points_and_their_ratio():
    coverage = assess("send a small percentage first, monitoring it, and roll back if errors rise", _points())
    assert (coverage.covered, coverage.total) == (3, 3)
    assert coverage.ratio == 1.0
    assert [p.matched_term for p in coverage.points] == ["small percentage", "monitor", "roll back"]


def test_assess_matches_through_accents_case_and_zero_width_characters():
    coverage = assess("ROLL\u200bBACK via Métrics", _points())
    assert [p.matched_term for p in coverage.points] == [None, "metric", "rollback"]


def test_an_answer_of_only_emoji_covers_nothing():
    coverage = assess("🚀🔥👍", _points())
    assert coverage.covered == 0
    assert coverage.ratio == 0.0
    assert all(p.matched_term is None for p in coverage.points)


def test_coverage_of_no_key_points_is_a_ratio_of_zero_not_an_error():
    assert Coverage(()).ratio == 0.0
