"""The core names the message refs of answers that have no message of their own in a thread.

They are a member's private answer, and an answer sent from a form that counts as a reply. Adapters build and test them
only through these."""

from __future__ import annotations

from bot.domain.model import form_answer_ref, is_form_answer_ref, is_private_ref, private_answer_ref


def test_an_answer_sent_from_a_form_is_named_by_its_submission_and_known_as_such() -> None:
    ref = form_answer_ref("1234567890")
    assert ref == "modal:1234567890"  # the stored form, kept for answers stored before
    assert is_form_answer_ref(ref) and not is_private_ref(ref)


def test_a_private_answer_and_a_message_in_a_thread_are_not_answers_from_a_form() -> None:
    assert not is_form_answer_ref(private_answer_ref("42"))
    assert not is_form_answer_ref("111/222")
