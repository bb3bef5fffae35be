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
    # A NOT NULL column on a table that already has rows, in three steps.
    # Each waits at most 5 seconds for its lock, instead of making every query on the table queue behind it.
    op.execute("SET lock_timeout = '5s'")
    #
    # 1. Add it nullable: PostgreSQL only records the column, it does not rewrite the table.
    op.add_column("{{table}}", sa.Column("{{column}}", {{column_type}}, nullable=True))

    # 2. Fill it in on the existing rows.
    rows = sa.table("{{table}}", sa.column("{{column}}"))
    op.execute(
        rows.update()
        .where(rows.c["{{column}}"].is_(None))
        .values({"{{column}}": {{cursor}}sa.text("{{backfill_sql}}")})
    )

    # 3. Only then forbid NULL.
    op.alter_column("{{table}}", "{{column}}", existing_type={{column_type}}, nullable=False)

    # Be aware:
    # - Alembic runs the three steps in one transaction, so the ACCESS EXCLUSIVE lock taken in
    #   step 1 is held through the whole backfill and through step 3, which scans the table to
    #   check for NULLs. On a large, busy table, put each step in its own revision and deploy in
    #   between (backfilling in batches, see the data migration template).
    # - Rows inserted by code that does not know the new column break step 3 (and later inserts
    #   fail). Deploy the code that writes the column first, or give the column a
    #   server_default=sa.text("...") in step 1: with a constant default, PostgreSQL 11 and later
    #   add the column without a rewrite and fill existing rows themselves, making step 2 unneeded.


def downgrade() -> None:
    op.drop_column("{{table}}", "{{column}}")
