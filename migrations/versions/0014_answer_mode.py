"""answer modes: each channel's, and each round's as it was when its question was chosen

`channels.answer_mode` is `thread` (answers are replies in the question's thread) or `private` (answers are given
through a form and shown to the others at the reveal). Channels stored before this revision keep `thread`, the
server default; channels first seen after it are stored `private` by the application. `rounds.answer_mode` keeps
the mode a round was created with, so a switch never changes a question already posted.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("answer_mode", sa.String(16), nullable=False, server_default="thread"))
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("answer_mode", sa.String(16), nullable=False, server_default="thread"))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("answer_mode")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("answer_mode")
