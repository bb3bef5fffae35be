"""{{message}}

Revision ID: {{revision}}
Revises: {{revises}}
Create Date: {{create_date}}

"""
from typing import Any, Dict, Sequence, Union

from alembic import context, op
import sqlalchemy as sa
from sqlalchemy import column, table


# revision identifiers, used by Alembic.
revision: str = "{{revision}}"
down_revision: Union[str, Sequence[str], None] = {{down_revision}}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH_SIZE = {{batch_size}}

# Only the columns this migration touches, declared here rather than imported from the
# application's models: the models will change after this revision is written, the migration
# must keep doing what it does today.
rows = table(
    "{{table}}",
    column("{{primary_key}}"),
    column("{{source_column}}"),
    column("{{target_column}}"),
)


def upgrade() -> None:
    # The new value of each row: a SQL expression over its columns, for example
    # sa.func.lower(rows.c["{{source_column}}"]).
    update_in_batches({"{{target_column}}": {{cursor}}rows.c["{{source_column}}"]})


def downgrade() -> None:
    # Data changes cannot be undone in general. Putting NULL back restores the state before
    # upgrade() only if "{{target_column}}" was empty then (for example because the previous
    # revision added it). If it held data, write the inverse change here instead, or
    # raise NotImplementedError("...") saying why this revision is one-way.
    update_in_batches({"{{target_column}}": None})


def update_in_batches(values: Dict[str, Any]) -> None:
    """UPDATE every row, BATCH_SIZE rows at a time by ranges of the primary key.

    Each batch commits on its own (autocommit block): a large table is never locked for the
    whole run and a failure keeps the batches done so far. Write `values` so that running it
    twice does no harm, because a failed run is simply run again.
    """
    key = rows.c["{{primary_key}}"]
    update = rows.update().values(values)
    if context.is_offline_mode():
        # `alembic upgrade --sql` cannot read the key ranges: emit one UPDATE for the whole table.
        op.execute(update)
        return
    with op.get_context().autocommit_block():
        last = None
        while True:
            batch = sa.select(key).order_by(key).limit(BATCH_SIZE)
            if last is not None:
                batch = batch.where(key > last)
            keys = [row[0] for row in op.get_bind().execute(batch)]
            if not keys:
                break
            op.execute(update.where(key.between(keys[0], keys[-1])))
            last = keys[-1]
