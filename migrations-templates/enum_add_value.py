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
    # A new enum value cannot be used in the transaction that adds it (and before PostgreSQL 12,
    # ALTER TYPE ... ADD VALUE cannot run in a transaction block at all). The autocommit block
    # commits what came before and runs the statement on its own. IF NOT EXISTS makes a re-run
    # harmless; add BEFORE 'x' or AFTER 'x' to choose the value's place in the sort order.
    with op.get_context().autocommit_block():
        {{cursor}}op.execute("""ALTER TYPE "{{enum_name}}" ADD VALUE IF NOT EXISTS '{{new_value}}'""")


def downgrade() -> None:  # alembic-lint: disable=missing-downgrade
    # Deliberately empty. PostgreSQL cannot remove a value from an enum type (there is no
    # ALTER TYPE ... DROP VALUE), so '{{new_value}}' stays in "{{enum_name}}" after a downgrade.
    # That is harmless unless rows still hold it and older code cannot read it: update those rows
    # here first, for example
    #     op.execute("""UPDATE some_table SET some_column = 'other' WHERE some_column = '{{new_value}}'""")
    # To really remove the value, rename the type, create it again without the value, convert
    # every column that uses it (ALTER TABLE ... ALTER COLUMN ... TYPE ... USING ...::text::...)
    # and drop the old type.
    pass
