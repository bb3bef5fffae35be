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
    op.create_table(
        "{{table}}",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("{{column}}", {{column_type}}, nullable=False),
        {{cursor}}# server_default=now() fills created_at and updated_at on INSERT only: keeping
        # updated_at current on UPDATE is up to the application (or a trigger).
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    # The table is new and empty, so a plain (non-concurrent) index costs nothing here.
    op.create_index("{{index_name}}", "{{table}}", ["{{column}}"])


def downgrade() -> None:
    op.drop_index("{{index_name}}", table_name="{{table}}")
    op.drop_table("{{table}}")
