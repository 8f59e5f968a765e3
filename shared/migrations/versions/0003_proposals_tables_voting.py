"""proposals tables voting

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:21:10.649280
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.core.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "work_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["participants.id"], ondelete="SET NULL", use_alter=True
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("work_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_tables_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("table_id", sa.Integer(), nullable=True),
        sa.Column("from_contribution_id", sa.Integer(), nullable=True),
        sa.Column("from_theme_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("where", sa.Text(), nullable=False),
        sa.Column("when", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=False),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["participants.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["from_contribution_id"], ["contributions.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["from_theme_id"], ["themes.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["merged_into_id"], ["proposals.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["table_id"], ["work_tables.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "proposal_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.core.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "number"),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "participant_id"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_votes_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_votes_proposal_id"), ["proposal_id"], unique=False)

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voting_mode", sa.String(length=8), nullable=False, server_default="simple")
        )
        batch_op.add_column(
            sa.Column("voting_dots", sa.Integer(), nullable=False, server_default="3")
        )
        batch_op.add_column(
            sa.Column("voting_max_per_proposal", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("voting_open", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "voting_roles",
                sa.JSON(),
                nullable=False,
                server_default='["participant", "informant"]',
            )
        )
        batch_op.add_column(
            sa.Column("tables_active", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("table_strategy", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("shortlist", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("table_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_participants_table_id",
            "work_tables",
            ["table_id"],
            ["id"],
            ondelete="SET NULL",
            use_alter=True,
        )


def downgrade() -> None:

    with op.batch_alter_table("participants", schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint("fk_participants_table_id", type_="foreignkey")
        batch_op.drop_column("table_id")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("shortlist")
        batch_op.drop_column("table_strategy")
        batch_op.drop_column("tables_active")
        batch_op.drop_column("voting_roles")
        batch_op.drop_column("voting_open")
        batch_op.drop_column("voting_max_per_proposal")
        batch_op.drop_column("voting_dots")
        batch_op.drop_column("voting_mode")

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_votes_participant_id"))
        batch_op.drop_index(batch_op.f("ix_votes_meeting_id"))

    op.drop_table("votes")
    op.drop_table("proposal_versions")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_meeting_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("work_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_tables_meeting_id"))

    op.drop_table("work_tables")
