"""name who holds a queued command, so a process can take back the commands a dead incarnation of itself held

A queued /prep command is held by the process that acknowledged it while that process runs it. Until now the hold
was only a time (claimed_until): a process restarted after a crash waited out its dead incarnation's holds, and
nothing told which process held what. The holder's claim token (as tasks.claim_token: the pid, a tag of the host,
the incarnation) is stored with the hold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("claim_token")
