"""Claim tokens name the process that made them, so the claims of a dead process of this host are told apart."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.services.claims import ProcessIdentity


def finished_pid() -> int:
    """The pid of a process of this host that has ended."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(child.stdout)


def test_a_token_fits_the_column_and_names_this_process() -> None:
    me = ProcessIdentity.current()
    token = me.new_token()
    assert len(token) <= 40 and token.startswith(f"{os.getpid()}-")
    assert token.startswith(f"{me.pid}-{me.host}-{me.incarnation}") and token != me.new_token()


def test_this_processs_own_claims_are_never_taken_for_dead() -> None:
    me = ProcessIdentity.current()
    assert not me.held_by_the_dead(me.new_token())


def test_the_claims_of_an_earlier_incarnation_with_the_same_pid_are_dead() -> None:
    me = ProcessIdentity.current()
    before = ProcessIdentity(me.pid, me.host, "0badc0de")
    assert me.held_by_the_dead(before.new_token())


def test_the_claims_of_a_process_of_this_host_that_ended_are_dead_and_of_one_running_are_not() -> None:
    me = ProcessIdentity.current()
    assert me.held_by_the_dead(ProcessIdentity(finished_pid(), me.host, "12345678").new_token())
    assert not me.held_by_the_dead(ProcessIdentity(os.getppid(), me.host, "12345678").new_token())


def test_claims_of_other_hosts_and_tokens_that_name_no_process_are_left_to_their_lease() -> None:
    me = ProcessIdentity.current()
    assert not me.held_by_the_dead(ProcessIdentity(finished_pid(), "ffffffff", "12345678").new_token())
    assert not me.held_by_the_dead(f"{finished_pid()}-{'a' * 24}")  # the format before tokens named their host
    assert not me.held_by_the_dead("worker-a")
