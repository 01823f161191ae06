"""no reminder time while blocked: blocked users' stale reminder times are cleared

A user who blocked the bot kept the reminder time that was due when Telegram said so, in the past,
where the reminder sweep's index scan stepped over it every minute. db.reminders.mark_inactive now
clears it; this clears the ones left from before. Writing again sets the next one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    users = sa.table('users', sa.column('active', sa.Boolean), sa.column('next_reminder_at', sa.DateTime(timezone=True)))
    op.execute(users.update().where(users.c.active.is_(False)).values(next_reminder_at=None))


def downgrade() -> None:
    pass  # nothing to restore: a blocked user's next reminder is set when they write again
