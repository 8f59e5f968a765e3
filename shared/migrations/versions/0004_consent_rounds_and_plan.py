"""consent rounds and plan

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:41:38.270627
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.core.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "consent_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("proposal_version", sa.Integer(), nullable=True),
        sa.Column("eligible", sa.JSON(), nullable=False),
        sa.Column("opened_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.Column("closed_at", shared.core.models.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_rounds_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("where", sa.Text(), nullable=False),
        sa.Column("when", sa.Text(), nullable=False),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["round_id"], ["consent_rounds.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "consent_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("asked", sa.Boolean(), nullable=False),
        sa.Column("answered_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["consent_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "participant_id"),
    )
    with op.batch_alter_table("consent_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_answers_round_id"), ["round_id"], unique=False)

    op.create_table(
        "consent_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["consent_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_log_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_round_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "consent_roles",
                sa.JSON(),
                nullable=False,
                server_default='["participant", "informant"]',
            )
        )
        batch_op.add_column(
            sa.Column("plan_followup", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("plan_evaluation", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("plan_adopted", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_status", sa.String(length=10), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("consent_status")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("plan_adopted")
        batch_op.drop_column("plan_evaluation")
        batch_op.drop_column("plan_followup")
        batch_op.drop_column("consent_roles")
        batch_op.drop_column("consent_round_id")

    with op.batch_alter_table("consent_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_log_round_id"))

    op.drop_table("consent_log")
    with op.batch_alter_table("consent_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_answers_round_id"))

    op.drop_table("consent_answers")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_meeting_id"))

    op.drop_table("agreements")
    with op.batch_alter_table("consent_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_rounds_meeting_id"))

    op.drop_table("consent_rounds")
