"""meeting clocks: a meeting's version counter in a row of its own; workers' fingerprints

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:00:00.000000

Every change used to lock and write the meeting's row for its whole transaction; on
PostgreSQL with several workers, every write of a meeting queued on that one row. The
counter now lives in ``meeting_clocks`` and is advanced by one statement at commit.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIENCES = ("console", "beamer", "phone")


def _seen(value: object) -> dict[str, int]:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return (
        {a: int(v) for a, v in (value or {}).items() if a in AUDIENCES}
        if isinstance(value, dict)
        else {}
    )


def upgrade() -> None:
    clocks = op.create_table(
        "meeting_clocks",
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("console", sa.Integer(), nullable=False),
        sa.Column("beamer", sa.Integer(), nullable=False),
        sa.Column("phone", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    rows = op.get_bind().execute(sa.text("SELECT id, version, audience_versions FROM meetings"))
    values = []
    for meeting_id, version, audience_versions in rows:
        seen = _seen(audience_versions)
        values.append(
            {"meeting_id": meeting_id, "version": int(version or 0)}
            | {a: seen.get(a, 0) for a in AUDIENCES}
        )
    if values:
        op.bulk_insert(clocks, values)
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("audience_versions")
        batch_op.drop_column("version")
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("audience_versions", sa.JSON(), nullable=False, server_default="{}")
        )
    bind = op.get_bind()
    for meeting_id, version, console, beamer, phone in bind.execute(
        sa.text("SELECT meeting_id, version, console, beamer, phone FROM meeting_clocks")
    ):
        bind.execute(
            sa.text("UPDATE meetings SET version = :v, audience_versions = :s WHERE id = :m"),
            {
                "v": version,
                "s": json.dumps({"console": console, "beamer": beamer, "phone": phone}),
                "m": meeting_id,
            },
        )
    op.drop_table("meeting_clocks")
