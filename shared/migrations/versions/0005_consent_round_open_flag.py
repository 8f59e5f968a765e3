"""consent round open flag

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 03:05:50.555867
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_round_open", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("consent_round_open")
