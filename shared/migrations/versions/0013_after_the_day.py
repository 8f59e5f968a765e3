"""after the day: agreement statuses and their updates, "not working" signals, people
named after the day, personal plan links, publications; structured reconvene and
evaluation dates; meetings made from a plan; consent rounds on publication

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:14:38.524076
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["published_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["withdrawn_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("meeting_id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_table(
        "plan_keys",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("participant_id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "agreement_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreement_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_updates_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_updates_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "plan_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=12), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "participant_id", "duty", "agreement_id"),
    )
    with op.batch_alter_table("plan_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_people_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "plan_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("taken_up_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["taken_up_by"], ["meetings.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_signals_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("consent_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("topic", sa.String(length=12), server_default="", nullable=False)
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("followup_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("followup_place", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("evaluation_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("evaluation_place", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("follows_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("follows_kind", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("follows_agreements", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("publication_consented_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_meetings_follows_id"), ["follows_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_meetings_follows_id",
            "meetings",
            ["follows_id"],
            ["id"],
            ondelete="SET NULL",
            use_alter=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meetings_follows_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_meetings_follows_id"))
        batch_op.drop_column("publication_consented_at")
        batch_op.drop_column("follows_agreements")
        batch_op.drop_column("follows_kind")
        batch_op.drop_column("follows_id")
        batch_op.drop_column("evaluation_place")
        batch_op.drop_column("evaluation_date")
        batch_op.drop_column("followup_place")
        batch_op.drop_column("followup_date")

    with op.batch_alter_table("consent_rounds", schema=None) as batch_op:
        batch_op.drop_column("topic")

    with op.batch_alter_table("plan_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_signals_meeting_id"))

    op.drop_table("plan_signals")
    with op.batch_alter_table("plan_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_people_meeting_id"))

    op.drop_table("plan_people")
    with op.batch_alter_table("agreement_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_updates_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_updates_agreement_id"))

    op.drop_table("agreement_updates")
    op.drop_table("plan_keys")
    op.drop_table("publications")
