"""which grader scored each result, and what it found for each key point

Rounds scored before this revision were scored by the word-prefix matcher: their results keep their counts and get
no per-point feedback (`grader` stays NULL), so their reveal is built from what was stored, never graded again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("grader", sa.String(40), nullable=True))
        batch.add_column(sa.Column("feedback", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_column("feedback")
        batch.drop_column("grader")
