"""sharing framing speaking

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 01:51:14.990163
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.core.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "info_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("info_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_info_items_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prompts_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "recognition_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("statement_number", sa.Integer(), nullable=False),
        sa.Column("opened_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("closed_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recognition_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_checks_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "speaking_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("order", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spoke", sa.JSON(), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("started_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speaking_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speaking_rounds_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "statement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "number"),
    )
    with op.batch_alter_table("statement_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_versions_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("moderated_by", sa.Integer(), nullable=True),
        sa.Column("moderated_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["moderated_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["prompt_id"], ["prompts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contributions_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contributions_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "recognition_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["recognition_checks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("check_id", "participant_id"),
    )
    with op.batch_alter_table("recognition_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_answers_check_id"), ["check_id"], unique=False
        )

    op.create_table(
        "speak_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("started_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.Column("finished_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speak_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speak_requests_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("moderation", sa.String(length=8), nullable=False, server_default="post")
        )
        batch_op.add_column(
            sa.Column("anonymity", sa.String(length=12), nullable=False, server_default="named")
        )
        batch_op.add_column(
            sa.Column("wall_mode", sa.String(length=8), nullable=False, server_default="newest")
        )
        batch_op.add_column(sa.Column("spotlight_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prompt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("shown_info_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recognition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("round_id")
        batch_op.drop_column("recognition_id")
        batch_op.drop_column("shown_info_id")
        batch_op.drop_column("prompt_id")
        batch_op.drop_column("spotlight_id")
        batch_op.drop_column("wall_mode")
        batch_op.drop_column("anonymity")
        batch_op.drop_column("moderation")

    with op.batch_alter_table("speak_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speak_requests_meeting_id"))

    op.drop_table("speak_requests")
    with op.batch_alter_table("recognition_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_answers_check_id"))

    op.drop_table("recognition_answers")
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributions_participant_id"))
        batch_op.drop_index(batch_op.f("ix_contributions_meeting_id"))

    op.drop_table("contributions")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_meeting_id"))

    op.drop_table("themes")
    with op.batch_alter_table("statement_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_versions_meeting_id"))

    op.drop_table("statement_versions")
    with op.batch_alter_table("speaking_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaking_rounds_meeting_id"))

    op.drop_table("speaking_rounds")
    with op.batch_alter_table("recognition_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_checks_meeting_id"))

    op.drop_table("recognition_checks")
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prompts_meeting_id"))

    op.drop_table("prompts")
    with op.batch_alter_table("info_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_info_items_meeting_id"))

    op.drop_table("info_items")
