"""chats that became e-mail tickets leave the queue (issue #22)

Before this release a customer who left an e-mail address stayed `waiting`, so agents could still take a chat whose
customer had been told to close the window. Such chats are closed and their handoff ended: the customer's next
message reopens the chat for the bot, which resumes Rasa (paused at the handoff), as after an agent closes a chat.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:05:00

"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

conversations = sa.table('conversations', sa.column('id', sa.String), sa.column('state', sa.String))
handoffs = sa.table('handoffs', sa.column('id', sa.Integer), sa.column('conversation_id', sa.String),
                    sa.column('requested_at', sa.DateTime(timezone=True)), sa.column('taken_at', sa.DateTime(timezone=True)),
                    sa.column('ended_at', sa.DateTime(timezone=True)))
tickets = sa.table('tickets', sa.column('conversation_id', sa.String), sa.column('kind', sa.String),
                   sa.column('created_at', sa.DateTime(timezone=True)))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    """A waiting chat whose open handoff got a contact ticket after it was requested: ticket filed, nothing to take."""
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(handoffs.c.id, handoffs.c.conversation_id, handoffs.c.requested_at, sa.func.max(tickets.c.created_at))
        .join(conversations, conversations.c.id == handoffs.c.conversation_id)
        .join(tickets, (tickets.c.conversation_id == handoffs.c.conversation_id) & (tickets.c.kind == 'contact'))
        .where(conversations.c.state == 'waiting', handoffs.c.ended_at.is_(None), handoffs.c.taken_at.is_(None))
        .group_by(handoffs.c.id, handoffs.c.conversation_id, handoffs.c.requested_at)).all()
    for handoff_id, conversation_id, requested_at, filed_at in waiting:
        if filed_at is None or _utc(filed_at) < _utc(requested_at):
            continue  # a ticket from an earlier request: this one still waits for a person
        bind.execute(sa.update(handoffs).where(handoffs.c.id == handoff_id).values(ended_at=filed_at))
        bind.execute(sa.update(conversations).where(conversations.c.id == conversation_id, conversations.c.state == 'waiting')
                     .values(state='closed'))


def downgrade() -> None:
    """Nothing to undo: the chats' earlier state was a mistake."""
