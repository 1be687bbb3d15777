"""Cards as plain text for a terminal."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cards import Card, LeaderboardCard, QuestionCard, RevealCard, StatsCard, point_remark


def local(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def render(card: Card) -> str:
    if isinstance(card, QuestionCard):
        return render_question(card)
    if isinstance(card, RevealCard):
        return render_reveal(card)
    if isinstance(card, LeaderboardCard):
        return render_board(card)
    if isinstance(card, StatsCard):
        return render_stats(card)
    return card.text


def render_question(card: QuestionCard) -> str:
    if card.closed:
        return f"[closed] Round {card.round_id} ({card.level_label}): {card.question} Answers are closed; see the thread."
    title = f"Practice question for {card.requested_by}" if card.practice else "Question of the day"
    return (
        f"{title} (round {card.round_id}, {card.level_label}): {card.question}\n"
        f"  Answers close {local(card.deadline_at, card.tz)} {card.tz}. Reply on the next line(s)."
    )


def render_reveal(card: RevealCard) -> str:
    lines = [f"Hint for round {card.round_id}: {card.hint}"]
    if card.model_answer:
        lines.append(f"A model answer: {card.model_answer}")
    lines.append("A strong answer covers:")
    lines += [f"  [ ] {point}" for point in card.key_points]
    if not card.feedback:
        lines.append("Nobody answered this one.")
    for item in card.feedback:
        status = "on time" if item.on_time else "late"
        lines.append(f"{item.member_name} ({status}): covered {item.covered_count} of {len(item.covered)}")
        for point in item.covered:
            mark = "x" if point.covered else " "
            remark = point_remark(point)
            lines.append(f"    [{mark}] {point.point}" + (f"  ({remark})" if remark else ""))
        for advice in (item.judge_says, item.did_well, item.study_next):
            if advice:
                lines.append(f"    {advice}")
        if item.awards:
            parts = ", ".join(f"+{a.amount} {a.reason} ({a.detail})" for a in item.awards)
            lines.append(f"    points: {item.total_points} = {parts}")
        if item.note:
            lines.append(f"    note: {item.note}")
    if card.graded_by:
        lines.append(card.graded_by)
    tally = card.tally
    lines.append(
        f"Tally: {tally.answers} answer(s), {tally.on_time} on time, {tally.late} late; "
        f"average coverage {tally.average_coverage:.0%}"
    )
    return "\n".join(lines)


def render_board(card: LeaderboardCard) -> str:
    level = f", {card.level_label}" if card.level_label else ""
    lines = [f"{card.title} ({card.period}{level})"]
    if not card.lines:
        lines.append("  No points yet.")
    for line in card.lines:
        lines.append(f"  {line.rank:>2}. {line.name:<20} {line.total:>5} pts  ({line.rounds} round(s))")
    return "\n".join(lines)


def render_stats(card: StatsCard) -> str:
    parts = ", ".join(f"{reason} {amount}" for reason, amount in card.breakdown)
    lines = [
        f"Stats for {card.member_name}: {card.total} points ({parts}); this week {card.week_total}",
        f"  streak: {card.streak_days} day(s); rounds answered: {card.rounds_answered}",
    ]
    for level, ratio, count in card.coverage_by_level:
        lines.append(f"  {level}: {ratio:.0%} of key points over {count} round(s)")
    return "\n".join(lines)


