"""contact point reports: personnel numbers and units of officers

Revision ID: d41c7e2a9b10
Revises: ae637907d512
Create Date: 2026-12-02 20:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41c7e2a9b10'
down_revision = 'ae637907d512'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personnel_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('unit', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            'uq_users_administration_id_personnel_number', ['administration_id', 'personnel_number']
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_administration_id_personnel_number', type_='unique')
        batch_op.drop_column('unit')
        batch_op.drop_column('personnel_number')
