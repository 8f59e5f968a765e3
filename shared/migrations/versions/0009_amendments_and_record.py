"""amendments, superseded rounds, agreement versions, merge undo, beamer paging

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:00:00.000000
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def name_key(name: str) -> str:
    """As shared.domain.wording.name_key on the day of this revision (frozen here)."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voting_opened_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("beamer_page_seconds", sa.Integer(), nullable=False, server_default="12")
        )
    with op.batch_alter_table("consent_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "outcome", type_=sa.String(length=12), existing_type=sa.String(length=10)
        )
    # "open" said nothing about what happened: the round closed with an objection standing.
    op.execute("UPDATE consent_rounds SET outcome = 'not_adopted' WHERE outcome = 'open'")
    # Voting that was open at some point before this revision counts as opened.
    op.execute(
        "UPDATE meetings SET voting_opened_at = created_at WHERE voting_open "
        "OR id IN (SELECT meeting_id FROM votes)"
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "agreement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agreement_id", "number"),
    )
    op.create_index(
        op.f("ix_agreement_versions_agreement_id"), "agreement_versions", ["agreement_id"]
    )
    op.create_table(
        "proposal_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("source_votes", sa.JSON(), nullable=False),
        sa.Column("target_votes", sa.JSON(), nullable=False),
        sa.Column("target_after", sa.JSON(), nullable=False),
        sa.Column("shortlist_before", sa.JSON(), nullable=False),
        sa.Column("voting_was_open", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_proposal_merges_meeting_id"), "proposal_merges", ["meeting_id"])
    # Namesakes are found by a folded form of the name (see shared.domain.wording).
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.create_index(
            "ix_participants_meeting_name_key", ["meeting_id", "name_key"], unique=False
        )
    bind = op.get_bind()
    people = sa.table("participants", sa.column("id"), sa.column("name"), sa.column("name_key"))
    for pid, name in bind.execute(sa.select(people.c.id, people.c.name)).all():
        bind.execute(
            people.update().where(people.c.id == pid).values(name_key=name_key(name or ""))
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index("ix_participants_meeting_name_key")
        batch_op.drop_column("name_key")
    op.drop_index(op.f("ix_proposal_merges_meeting_id"), table_name="proposal_merges")
    op.drop_table("proposal_merges")
    op.drop_index(op.f("ix_agreement_versions_agreement_id"), table_name="agreement_versions")
    op.drop_table("agreement_versions")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("description")
        batch_op.drop_column("proposal_version")
    op.execute("UPDATE consent_rounds SET outcome = 'open' WHERE outcome = 'not_adopted'")
    op.execute("UPDATE consent_rounds SET outcome = 'open' WHERE outcome = 'superseded'")
    with op.batch_alter_table("consent_rounds", schema=None) as batch_op:
        batch_op.drop_column("subject")
        batch_op.alter_column(
            "outcome", type_=sa.String(length=10), existing_type=sa.String(length=12)
        )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("beamer_page_seconds")
        batch_op.drop_column("voting_opened_at")
