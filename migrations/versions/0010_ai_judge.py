"""the AI judge: each channel's grader, stored judgements, and the judge's daily request count

`channels.grader` is `offline` (the default) or `ai`. A judgement is stored under the fingerprint of what it depends
on (bot.domain.judging.judgement_key) before any score uses it, so it is never paid for twice. `judge_budget` counts
the judge's requests per UTC day.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("grader", sa.String(16), nullable=False, server_default="offline"))
    op.create_table(
        "judgements",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_judgements"),
    )
    op.create_table(
        "judge_budget",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("day", name="pk_judge_budget"),
    )


def downgrade() -> None:
    op.drop_table("judge_budget")
    op.drop_table("judgements")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("grader")
