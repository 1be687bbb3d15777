"""workspace installations, OAuth states, and who subscribed a channel

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("subscribed_by", sa.String(length=64), nullable=True))
    op.create_table(
        "installations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("enterprise", sa.String(length=64), server_default="", nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=False),
        sa.Column("bot_user_ref", sa.String(length=64), server_default="", nullable=False),
        sa.Column("data", sa.Text(), server_default="{}", nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installations")),
        sa.UniqueConstraint("platform", "enterprise", "workspace",
                            name=op.f("uq_installations_platform_enterprise_workspace")),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_oauth_states")),
    )


def downgrade() -> None:
    op.drop_table("oauth_states")
    op.drop_table("installations")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("subscribed_by")
