"""private practice: a channel's choice to show practice questions only to the member who asked

`channels.practice_private` is false (the default: practice questions are posted in the channel with their own
thread) or true (the question and its reveal go to the member alone). `rounds.personal` records how a practice round
was delivered, so its reveal goes the same way even if the channel's choice changes in between.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("practice_private", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("personal", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("personal")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("practice_private")
