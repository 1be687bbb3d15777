"""an index that covers the leaderboard query

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_points_board", "points", ["channel_id", "local_date", "member_id", "reason", "amount"])
    op.drop_index("ix_points_channel_date", table_name="points")


def downgrade() -> None:
    op.create_index("ix_points_channel_date", "points", ["channel_id", "local_date"])
    op.drop_index("ix_points_board", table_name="points")
