"""agent ratings: a rating may be of the agent who ended a handoff

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ratings') as batch:  # SQLite adds a foreign key only by copying the table
        batch.add_column(sa.Column('handoff_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_ratings_handoff_id', 'handoffs', ['handoff_id'], ['id'], ondelete='CASCADE')
        batch.create_unique_constraint('uq_ratings_handoff_id', ['handoff_id'])


def downgrade() -> None:
    with op.batch_alter_table('ratings') as batch:
        batch.drop_constraint('uq_ratings_handoff_id', type_='unique')
        batch.drop_constraint('fk_ratings_handoff_id', type_='foreignkey')
        batch.drop_column('handoff_id')
