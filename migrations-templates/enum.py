"""{{message}}

Revision ID: {{revision}}
Revises: {{revises}}
Create Date: {{create_date}}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = "{{revision}}"
down_revision: Union[str, Sequence[str], None] = {{down_revision}}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# create_type=False: the type is created and dropped explicitly below, with checkfirst=True, never
# implicitly by add_column/create_table. An upgrade then survives a type that already exists
# ("type ... already exists"), and a downgrade one that is already gone.
{{enum_name}}_enum = postgresql.ENUM({{enum_values}}, name="{{enum_name}}", create_type=False)


def upgrade() -> None:
    # Wait at most 5 seconds for the table's lock, instead of making every query on it queue behind the ALTER.
    op.execute("SET lock_timeout = '5s'")
    {{enum_name}}_enum.create(op.get_bind(), checkfirst=True)
    op.add_column("{{table}}", sa.Column("{{column}}", {{enum_name}}_enum, {{cursor}}nullable=True))

def downgrade() -> None:
    # The column first: PostgreSQL refuses to drop a type that a column still uses.
    op.drop_column("{{table}}", "{{column}}")
    {{enum_name}}_enum.drop(op.get_bind(), checkfirst=True)
