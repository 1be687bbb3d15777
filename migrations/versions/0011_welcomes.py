"""the welcome a channel gets when the bot is added to it

One row per channel welcomed (or being welcomed): claimed before the card is posted, so a channel is welcomed at most
once, by one process, however often the platform reports the bot joining it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "welcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_ref", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=True),
        sa.Column("message_ref", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_welcomes")),
        sa.UniqueConstraint("platform", "workspace", "channel_ref",
                            name=op.f("uq_welcomes_platform_workspace_channel_ref")),
    )


def downgrade() -> None:
    op.drop_table("welcomes")
