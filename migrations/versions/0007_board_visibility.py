"""keep the points table vacuumed and analysed as it grows, so boards stay index-only on PostgreSQL

The boards read a period's points from the covering index ix_points_board alone, but PostgreSQL can skip the table
only for pages its visibility map marks all-visible, which only VACUUM does. By default autovacuum vacuums an
insert-only table after 20% new rows and analyses it after 10%: the last weeks' points, the ones the weekly board
reads, would mostly wait for that, and every index entry would cost a visit to the table (and until the first
ANALYZE the planner misjudges the aggregate). Here the table is vacuumed after about 1% new rows (plus 10,000) and
analysed after 2%. SQLite has no such settings: nothing changes there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ANALYZE_SETTINGS = {"autovacuum_analyze_scale_factor": "0.02"}
INSERT_SETTINGS = {  # PostgreSQL 13 and later vacuum for inserts
    "autovacuum_vacuum_insert_threshold": "10000",
    "autovacuum_vacuum_insert_scale_factor": "0.01",
}


def _settings() -> dict[str, str]:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return {}
    version = bind.dialect.server_version_info or (0,)
    return {**ANALYZE_SETTINGS, **(INSERT_SETTINGS if version >= (13,) else {})}


def upgrade() -> None:
    settings = _settings()
    if settings:
        op.execute(f"ALTER TABLE points SET ({', '.join(f'{k} = {v}' for k, v in settings.items())})")


def downgrade() -> None:
    settings = _settings()
    if settings:
        op.execute(f"ALTER TABLE points RESET ({', '.join(settings)})")
