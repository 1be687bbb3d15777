"""whether an answer's acknowledgement (its reaction) was made

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer_parts") as batch:
        batch.add_column(sa.Column("acknowledged", sa.Boolean(), nullable=False, server_default="0"))
    # Answers stored before this revision were acknowledged when they arrived.
    answer_parts = sa.table("answer_parts", sa.column("acknowledged", sa.Boolean()))
    op.execute(answer_parts.update().values(acknowledged=True))


def downgrade() -> None:
    with op.batch_alter_table("answer_parts") as batch:
        batch.drop_column("acknowledged")
