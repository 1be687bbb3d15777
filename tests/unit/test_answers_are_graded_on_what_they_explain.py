"""The offline grader: stemmed words, the field's abbreviations, negation, lists, question and common words."""

from __future__ import annotations

from bot.cards import grader_words
from bot.domain.matching import GRADER, PointStatus, grade, mentioned
from bot.domain.questions import KeyPoint, Level, Question
from bot.domain.scoring import Weights, answer_awards

LATENCY = Question(
    "scenario-x", Level.SCENARIO, "A model's p99 latency is 400 ms but must be under 100 ms. What do you do?",
    "Profile first, then quantize, fuse kernels and adjust the batch size.",
    (
        KeyPoint("Profiles first", ("profile", "bottleneck"), why="Guessing wastes days on the wrong stage."),
        KeyPoint("Quantizes", ("quantize", "int8")),
        KeyPoint("Fuses kernels", ("kernel fusion", "tensorrt")),
        KeyPoint("Adjusts the batch size", ("batch size", "smaller batches")),
    ),
)
PARALLEL = Question(
    "advanced-x", Level.ADVANCED, "How do you serve a model too big for one GPU?", "Split it across GPUs.",
    (
        KeyPoint("Splits layers across GPUs", ("tensor parallelism",)),
        KeyPoint("Splits stages across GPUs", ("pipeline parallelism",)),
        KeyPoint("Watches memory", ("high bandwidth memory", "out of memory")),
    ),
)
LEGACY = Question(
    "custom-x", Level.BEGINNER, "Why save a trained model?", "Serialize it to reproduce results.",
    (
        KeyPoint("Serializes the model", ("serializ",)),
        KeyPoint("Reproducible", ("reproduc",)),
        KeyPoint("Rolls back", ("rollback",)),
    ),
)
STRONG = ("I would profile the service first to see whether the time goes into preprocessing or the forward pass. "
          "If the model itself is slow, I'd quantize it to INT8 and check accuracy. Then I compile it with "
          "TensorRT so kernels get fused. Finally I lower the batch size so requests do not wait in the queue.")


def statuses(text: str, question: Question) -> list[PointStatus]:
    return [p.status for p in grade(text, question).points]


def total(text: str, question: Question) -> int:
    return sum(a.amount for a in answer_awards(grade(text, question), 0, Weights()))


def test_a_strong_answer_that_explains_every_point_earns_every_point() -> None:
    assert statuses(STRONG, LATENCY) == [PointStatus.EXPLAINED] * 4
    assert total(STRONG, LATENCY) == 40


def test_a_bare_list_of_the_key_terms_earns_only_a_small_share() -> None:
    assert statuses("profile quantize kernel fusion batch size", LATENCY) == [PointStatus.NAMED] * 4
    assert total("profile quantize kernel fusion batch size", LATENCY) == 10 + round(30 * 0.25)


def test_terms_padded_with_filler_are_still_a_list() -> None:
    padded = "so yeah basically you should profile, quantize, kernel fusion and batch size and stuff lol"
    assert PointStatus.EXPLAINED not in statuses(padded, LATENCY)


def test_negated_mentions_cover_nothing() -> None:
    negated = "I would not profile, never quantize, avoid kernel fusion and keep the batch size as is."
    assert statuses(negated, LATENCY) == [PointStatus.NEGATED] * 4


def test_a_negation_does_not_reach_past_a_contrast_or_a_new_statement() -> None:
    text = "I wouldn't guess, I'd profile the service to find where the time goes, not just tweak flags."
    assert statuses(text, LATENCY)[0] is PointStatus.EXPLAINED


def test_a_rejection_after_the_term_negates_it() -> None:
    assert statuses("Quantizing to int8 is overkill for this model, it is already small.", LATENCY)[1] \
        is PointStatus.NEGATED


def test_words_of_the_question_earn_nothing_on_their_own() -> None:
    restated = "Which metrics would you monitor for the endpoint?"
    question = Question("q", Level.BEGINNER, restated, "Cover error rates and drift.", (
        KeyPoint("Error rates", ("error rate",)), KeyPoint("Monitors the endpoint", ("monitor endpoint", "metrics")),
        KeyPoint("Drift", ("drift",))))
    assert mentioned(restated, question) == (False, False, False)


def test_words_too_common_in_the_field_are_not_accepted_alone() -> None:
    question = Question("q", Level.BEGINNER, "What do you watch after a release?", "Error rates and memory.", (
        KeyPoint("Memory", ("memory", "memory footprint")), KeyPoint("Errors", ("error rate",)),
        KeyPoint("Rollback", ("rollback",))))
    assert mentioned("We keep an eye on memory because it matters a lot for us.", question)[0] is False
    assert mentioned("We keep an eye on the memory footprint because it grows.", question)[0] is True


def test_stemming_matches_other_forms_of_a_word() -> None:
    text = "Quantizing the weights to int8 helped, and profiling showed the bottlenecks in the tokenizer."
    assert statuses(text, LATENCY)[:2] == [PointStatus.EXPLAINED, PointStatus.EXPLAINED]


def test_the_fields_abbreviations_read_as_what_they_stand_for() -> None:
    text = "I'd use TP within a node and PP across nodes, and keep HBM usage well below the limit to avoid an OOM."
    assert statuses(text, PARALLEL) == [PointStatus.EXPLAINED] * 3


def test_a_percent_sign_keeps_its_meaning_and_hyphens_join_or_split_alike() -> None:
    question = Question("q", Level.SCENARIO, "How do you ship a new model?", "Canary 1% and right-size.", (
        KeyPoint("Canary", ("1 percent of traffic",)), KeyPoint("Right-size", ("right size",)),
        KeyPoint("Roll back", ("roll back",))))
    text = "Send 1% of traffic to the new version, right-size the pods for it, and have a roll-back ready."
    assert statuses(text, question) == [PointStatus.EXPLAINED] * 3


def test_legacy_prefix_terms_keep_working_for_custom_packs() -> None:
    text = "We serialized the model so that results are reproducible, and a roll back is one command."
    assert statuses(text, LEGACY) == [PointStatus.EXPLAINED] * 3


def test_feedback_quotes_the_members_own_words_not_stems() -> None:
    coverage = grade("Profiling first is the way: it shows where the milliseconds go.", LATENCY)
    assert coverage.points[0].matched_term == "Profiling"


def test_an_answer_that_says_nothing_about_the_question_earns_no_participation() -> None:
    for text in ("hello is anyone there", "no idea", "pass", "Morning all! Will catch up on this one tomorrow."):
        assert grade(text, LATENCY).attempt is False, text
        assert total(text, LATENCY) == 0, text


def test_an_honest_weak_attempt_earns_participation() -> None:
    assert total("I'd try a bigger GPU and see if the model gets faster.", LATENCY) == 10


def test_one_sentence_template_filled_with_each_term_is_padding_not_explanation() -> None:
    padded = ("I would profile it for sure. I would quantize it for sure. I would use kernel fusion for sure. "
              "I would change the batch size for sure.")
    assert statuses(padded, LATENCY) == [PointStatus.NAMED] * 4


def test_a_terse_sentence_that_says_what_a_step_is_for_is_an_explanation() -> None:
    assert statuses("First I'd profile to find out what is slow.", LATENCY)[0] is PointStatus.EXPLAINED


def test_a_negation_reaches_every_item_of_the_list_it_opens() -> None:
    text = "I wouldn't profile, quantize or use TensorRT here, there's no time for that."
    assert statuses(text, LATENCY)[:3] == [PointStatus.NEGATED] * 3


def test_a_negation_in_a_condition_does_not_reach_the_statement_that_follows() -> None:
    text = "If it still doesn't fit the budget you quantize the weights to INT8 and measure the accuracy again."
    assert statuses(text, LATENCY)[1] is PointStatus.EXPLAINED


def test_a_term_put_first_and_then_rejected_is_negated() -> None:
    assert statuses("TensorRT I'd never touch for a model this small, it is too much work.", LATENCY)[2] \
        is PointStatus.NEGATED
    assert statuses("Smaller batches are out of the question because the GPU would sit idle.", LATENCY)[3] \
        is PointStatus.NEGATED


def test_a_rejection_does_not_reach_past_a_connector() -> None:
    text = "Use TensorRT so that the kernels get fused and nobody can't say the GPU is wasted."
    assert statuses(text, LATENCY)[2] is PointStatus.EXPLAINED


def test_short_fragments_between_commas_are_a_list() -> None:
    text = "profiling the code, int8 weights, kernel fusion, smaller batches, the usual stuff"
    assert PointStatus.EXPLAINED not in statuses(text, LATENCY)


def test_a_question_word_used_in_another_sense_is_not_an_attempt() -> None:
    for text in ("Does anyone know a good recipe for batch cooking? I want to meal prep for the week.",
                 "The latency on my home wifi has been terrible lately, I think the router is dying."):
        assert grade(text, LATENCY).attempt is False, text


def test_a_point_about_what_not_to_do_is_shown_by_any_negation_of_it() -> None:
    question = Question("q", Level.WORKFLOW, "What goes into a good Dockerfile for a model server?", "h", (
        KeyPoint("Runs as a non-root user", ("non root", "don't run as root")),
        KeyPoint("Uses a slim base image", ("slim base",)), KeyPoint("Pins versions", ("pin",))))
    safe = grade("Create a user and switch to it, so the server never runs as root inside the container.", question)
    assert (safe.points[0].status, safe.points[0].matched_term) == (PointStatus.EXPLAINED, "never runs as root")
    unsafe = grade("Just let the server run as root inside the container, it is simpler that way.", question)
    assert unsafe.points[0].status is PointStatus.MISSED


def test_a_negated_limit_is_not_a_rejection_and_two_negations_cancel() -> None:
    assert statuses("I never send more than 5 percent to a build that I quantize to int8 first.", LATENCY)[1] \
        is PointStatus.EXPLAINED
    assert statuses("Nobody should skip the profiler step, it shows where the bottleneck is.", LATENCY)[0] \
        is PointStatus.EXPLAINED


def test_a_key_term_on_its_own_is_not_an_attempt_and_earns_only_its_named_share() -> None:
    for text in ("quantize", "Quantization.", "idk, maybe quantize?", "INT8 please"):
        coverage = grade(text, LATENCY)
        assert coverage.attempt is False, text
        assert total(text, LATENCY) == 2, text  # a quarter of one point's 10, rounded: no participation


def test_terms_strung_into_one_sentence_with_padding_explain_none_of_them() -> None:
    padded = "The answer is to profile and quantize the thing, and then do kernel fusion and batch size tuning for it."
    assert statuses(padded, LATENCY) == [PointStatus.NAMED] * 4
    dense = ("I would profile to find the bottleneck, quantize to INT8 to halve memory traffic, compile with "
             "TensorRT to save kernel launches, and lower the batch size so requests queue less.")
    assert statuses(dense, LATENCY) == [PointStatus.EXPLAINED] * 4


def test_a_clause_that_rules_a_point_out_shows_none_of_it_whatever_else_it_names() -> None:
    text = "I'd skip profiling since we already know the GPU is the bottleneck, and quantize to INT8 to cut memory."
    assert statuses(text, LATENCY)[:2] == [PointStatus.NEGATED, PointStatus.EXPLAINED]


def test_a_negation_inside_another_points_term_negates_nothing_after_it() -> None:
    shadow = Question(
        "shadow-x", Level.WORKFLOW, "How would you shadow-test a new model?", "Mirror traffic without affecting "
        "users and compare predictions.",
        (
            KeyPoint("Mirrors requests", ("mirror", "replicate")),
            KeyPoint("Does not affect users", ("without affecting", "discard")),
            KeyPoint("Compares predictions", ("log predictions", "compare", "ground truth")),
        ),
    )
    text = ("I'd replicate incoming requests to the new model without affecting the user, logging its predictions, "
            "and comparing them with the live model's.")
    assert statuses(text, shadow) == [PointStatus.EXPLAINED] * 3


def test_a_percentage_is_quoted_with_its_number() -> None:
    canary = Question(
        "canary-x", Level.INTERMEDIATE, "How do you roll out a new model version safely?", "Canary it.",
        (KeyPoint("Sends a small share of traffic", ("percent of traffic",)), KeyPoint("Watches", ("error rate",)),
         KeyPoint("Rolls back", ("rollback",))),
    )
    coverage = grade("I would send 1% of traffic to the new version first, because a small slice limits the damage.",
                     canary)
    assert coverage.points[0].matched_term == "1% of traffic"


def test_the_reveal_names_the_version_of_the_grader_that_scored_its_round() -> None:
    assert f"({GRADER})" in grader_words(GRADER) and GRADER != "explanations-1"
    assert "(explanations-1)" in grader_words("explanations-1")
    assert "earlier word matcher" in grader_words(None)


def test_a_phrase_whose_small_words_carry_its_meaning_is_matched_word_for_word() -> None:
    drift = Question(
        "drift-x", Level.BEGINNER, "Why does a deployed model need watching?", "Inputs drift.",
        (KeyPoint("Data drifts over time", ("over time",)), KeyPoint("Fans requests out", ("fan out",)),
         KeyPoint("Avoids lock-in", ("lock in",))),
    )
    loose = "Loading takes time because the fan spins and a lock protects the cache while it warms up."
    assert statuses(loose, drift) == [PointStatus.MISSED] * 3
    meant = ("The inputs drift over time, so accuracy falls. We fanout each request to both models to compare. Open "
             "formats keep us clear of vendor lock-in when we switch providers.")
    assert statuses(meant, drift) == [PointStatus.EXPLAINED] * 3


FEATURES = Question(
    "features-x", Level.ADVANCED, "What is a feature store, and why would a team use one?", "Share features.",
    (KeyPoint("Serves the same features online and offline", ("online and offline", "training and serving")),
     KeyPoint("Avoids training-serving skew", ("skew",)), KeyPoint("Versions features", ("point in time",))),
)


def test_an_answer_in_the_questions_own_words_that_explains_something_is_an_attempt() -> None:
    honest = ("A feature store is a central place where a team keeps shared, cleaned features, so every other group "
              "reads exactly the same values.")
    assert grade(honest, FEATURES).attempt is True
    assert grade("What is a feature store, and why would a team use one?", FEATURES).attempt is False
    assert grade("A feature store, a team, a feature store.", FEATURES).attempt is False


def test_a_word_like_later_or_pass_in_a_real_answer_does_not_make_it_say_nothing() -> None:
    failed = Question(
        "failed-x", Level.WORKFLOW, "How would you handle failed inference requests so engineers can investigate?",
        "Dead-letter queue.", (KeyPoint("Sends failures to a dead-letter queue", ("dead letter",)),
                               KeyPoint("Keeps the payload", ("payload",)), KeyPoint("Alerts", ("alarm",))),
    )
    assert grade("I would log the errors somewhere so engineers can look at them later when something breaks.",
                 failed).attempt is True
    for text in ("Will catch up on this one later.", "No idea, sorry, will look at it tomorrow.", "pass"):
        assert grade(text, failed).attempt is False, text
