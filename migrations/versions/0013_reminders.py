"""reminders: a reminder in the question's thread before the deadline, and private nudges for members who ask

`channels.reminder_minutes` is how long before the deadline a daily question's reminder is posted (0: off; 120 by
default). `reminder_nudges` holds the members who asked, in a channel, for a private nudge when they have not
answered by the reminder. `rounds.reminder_started_at` is set when an attempt is about to post the round's reminder
(a later attempt asks the platform before posting it again), `rounds.reminder_ref` is the reminder's message once it
is recorded, and `rounds.nudged_at` when the round's nudges went out.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("reminder_minutes", sa.Integer(), nullable=False, server_default="120"))
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("reminder_started_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reminder_ref", sa.String(64), nullable=True))
        batch.add_column(sa.Column("nudged_at", sa.DateTime(), nullable=True))
    op.create_table(
        "reminder_nudges",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name="fk_reminder_nudges_channel_id_channels"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_reminder_nudges_member_id_members"),
        sa.PrimaryKeyConstraint("channel_id", "member_id", name="pk_reminder_nudges"),
    )


def downgrade() -> None:
    op.drop_table("reminder_nudges")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("nudged_at")
        batch.drop_column("reminder_ref")
        batch.drop_column("reminder_started_at")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("reminder_minutes")
