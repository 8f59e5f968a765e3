"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:02:32.715423
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.core.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("join_code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("template", sa.String(length=20), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("open_question", sa.Text(), nullable=False),
        sa.Column("issue_statement", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("phase_started_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.Column("timebox_seconds", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("audience_versions", sa.JSON(), nullable=False),
        sa.Column("beamer_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("join_code"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("started_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor", "client_id"),
    )
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intents_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "login_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("used_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "meeting_facilitators",
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_owner", sa.Boolean(), nullable=False),
        sa.Column("added_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "user_id"),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("group", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("joined_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("removed_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "device_hash"),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participants_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "phase_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("from_phase", sa.String(length=20), nullable=False),
        sa.Column("to_phase", sa.String(length=20), nullable=False),
        sa.Column("at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phase_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phase_transitions_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "connections",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("worker_id", sa.String(length=32), nullable=False),
        sa.Column("connected_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_connections_meeting_audience", ["meeting_id", "audience"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_connections_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_connections_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connections_worker_id"))
        batch_op.drop_index(batch_op.f("ix_connections_participant_id"))
        batch_op.drop_index("ix_connections_meeting_audience")

    op.drop_table("connections")
    with op.batch_alter_table("phase_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phase_transitions_meeting_id"))

    op.drop_table("phase_transitions")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_meeting_id"))

    op.drop_table("participants")
    op.drop_table("meeting_facilitators")
    op.drop_table("login_tokens")
    with op.batch_alter_table("intents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intents_meeting_id"))

    op.drop_table("intents")
    op.drop_table("workers")
    op.drop_table("users")
    op.drop_table("meetings")
