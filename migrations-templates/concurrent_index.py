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
    # CREATE INDEX CONCURRENTLY builds the index while the table stays writable, but it cannot
    # run inside a transaction: the autocommit block commits what came before and runs it on
    # its own. If it fails half-way, PostgreSQL leaves an INVALID index behind: drop it
    # (DROP INDEX CONCURRENTLY IF EXISTS "{{index_name}}") before running the upgrade again.
    with op.get_context().autocommit_block():
        op.create_index(
            "{{index_name}}",
            "{{table}}",
            ["{{column}}"],
            {{cursor}}unique=False,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "{{index_name}}",
            table_name="{{table}}",
            postgresql_concurrently=True,
        )
