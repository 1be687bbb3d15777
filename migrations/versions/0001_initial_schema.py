"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('workspace', sa.String(length=64), nullable=False),
    sa.Column('channel_ref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('subscribed', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('tz', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('post_time', sa.String(length=5), server_default='09:30', nullable=False),
    sa.Column('weekdays', sa.String(length=20), server_default='0,1,2,3,4', nullable=False),
    sa.Column('deadline', sa.String(length=16), server_default='17:00', nullable=False),
    sa.Column('levels', sa.String(length=200), server_default='', nullable=False),
    sa.Column('paused', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('skip_dates', sa.Text(), server_default='', nullable=False),
    sa.Column('holiday_country', sa.String(length=8), nullable=True),
    sa.Column('holiday_dates', sa.Text(), server_default='', nullable=False),
    sa.Column('board_weekday', sa.Integer(), server_default='0', nullable=False),
    sa.Column('board_time', sa.String(length=5), server_default='09:00', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
    sa.UniqueConstraint('platform', 'workspace', 'channel_ref', name=op.f('uq_channels_platform_workspace_channel_ref'))
    )
    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('workspace', sa.String(length=64), nullable=False),
    sa.Column('member_ref', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('opted_out', sa.Boolean(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('platform', 'workspace', 'member_ref', name=op.f('uq_members_platform_workspace_member_ref'))
    )
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('daily_date', sa.Date(), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('message_ref', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('revealed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_rounds_channel_id_channels')),
    sa.ForeignKeyConstraint(['requested_by'], ['members.id'], name=op.f('fk_rounds_requested_by_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('channel_id', 'daily_date', name=op.f('uq_rounds_channel_id_daily_date')),
    sa.UniqueConstraint('channel_id', 'message_ref', name=op.f('uq_rounds_channel_id_message_ref'))
    )
    op.create_table('answer_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('message_ref', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('scored_text', sa.Text(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('truncated', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_answer_parts_member_id_members')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_answer_parts_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_parts')),
    sa.UniqueConstraint('round_id', 'message_ref', name=op.f('uq_answer_parts_round_id_message_ref'))
    )
    with op.batch_alter_table('answer_parts', schema=None) as batch_op:
        batch_op.create_index('ix_answer_parts_round_member', ['round_id', 'member_id'], unique=False)

    op.create_table('points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('detail', sa.String(length=300), server_default='', nullable=False),
    sa.Column('awarded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_points_channel_id_channels')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_points_member_id_members')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_points_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points')),
    sa.UniqueConstraint('round_id', 'member_id', 'reason', name=op.f('uq_points_round_id_member_id_reason'))
    )
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.create_index('ix_points_channel_date', ['channel_id', 'local_date'], unique=False)
        batch_op.create_index('ix_points_member', ['member_id'], unique=False)

    op.create_table('results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('covered', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_results_channel_id_channels')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_results_member_id_members')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_results_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results')),
    sa.UniqueConstraint('round_id', 'member_id', name=op.f('uq_results_round_id_member_id'))
    )
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index('ix_results_member', ['member_id', 'question_id'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('slot_date', sa.Date(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=100), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('claim_token', sa.String(length=40), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_tasks_channel_id_channels')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_tasks_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_tasks_dedupe_key'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_pending_due', ['done_at', 'due_at'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('message_ref', sa.String(length=64), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('reaction', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_votes_author_id_members')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_votes_round_id_rounds')),
    sa.ForeignKeyConstraint(['voter_id'], ['members.id'], name=op.f('fk_votes_voter_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('round_id', 'message_ref', 'voter_id', 'reaction', name=op.f('uq_votes_round_id_message_ref_voter_id_reaction'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_round_author', ['round_id', 'author_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_round_author')

    op.drop_table('votes')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_pending_due')

    op.drop_table('tasks')
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index('ix_results_member')

    op.drop_table('results')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_index('ix_points_member')
        batch_op.drop_index('ix_points_channel_date')

    op.drop_table('points')
    with op.batch_alter_table('answer_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_parts_round_member')

    op.drop_table('answer_parts')
    op.drop_table('rounds')
    op.drop_table('members')
    op.drop_table('channels')
