"""{{message}}

Revision ID: {{revision}}
Revises: {{revises}}
Create Date: {{create_date}}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "{{revision}}"
down_revision: Union[str, Sequence[str], None] = {{down_revision}}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    {{cursor}}pass


def downgrade() -> None:
    # Undo what upgrade() does, in reverse order. If this revision cannot be undone, keep the raise
    # and say why in its message: a bare `pass` would let `alembic downgrade` report success while
    # the database keeps every change.
    raise NotImplementedError("downgrade of {{revision}} is not written yet")
