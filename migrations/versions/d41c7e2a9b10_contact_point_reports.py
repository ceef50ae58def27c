"""contact point reports: officers' personnel numbers and units, headcounts and tallies

Revision ID: d41c7e2a9b10
Revises: ae637907d512
Create Date: 2026-12-02 20:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41c7e2a9b10'
down_revision = 'a9a9ecbdad07'
branch_labels = None
depends_on = None


COUNTERS = ('enrolled', 'active', 'completed', 'expired', 'withdrawn', 'progress_total')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personnel_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('unit', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            'uq_users_administration_id_personnel_number', ['administration_id', 'personnel_number']
        )
    op.create_table(
        'enrolment_tallies',
        sa.Column('administration_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('run_key', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS),
        sa.ForeignKeyConstraint(
            ['administration_id'], ['administrations.id'],
            name=op.f('fk_enrolment_tallies_administration_id_administrations'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['course_id'], ['courses.id'],
            name=op.f('fk_enrolment_tallies_course_id_courses'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'administration_id', 'course_id', 'run_key', name=op.f('pk_enrolment_tallies')
        ),
    )
    with op.batch_alter_table('enrolment_tallies', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_enrolment_tallies_course_id'), ['course_id'], unique=False
        )
    op.create_table(
        'administration_headcounts',
        sa.Column('administration_id', sa.Integer(), nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.Column('active_trainees', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['administration_id'], ['administrations.id'],
            name=op.f('fk_administration_headcounts_administration_id_administrations'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('administration_id', name=op.f('pk_administration_headcounts')),
    )
    # The headcounts and tallies of what exists (the same figures as their recount()).
    op.execute(
        """
        INSERT INTO administration_headcounts (administration_id, trainees, active_trainees)
        SELECT u.administration_id, COUNT(*), SUM(CASE WHEN u.active THEN 1 ELSE 0 END)
        FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'trainee'
        WHERE u.administration_id IS NOT NULL
        GROUP BY u.administration_id
        """
    )
    op.execute(
        """
        INSERT INTO enrolment_tallies (administration_id, course_id, run_key, enrolled, active,
                                       completed, expired, withdrawn, progress_total)
        SELECT u.administration_id, e.course_id, COALESCE(e.run_id, 0),
               SUM(CASE WHEN e.status <> 'withdrawn' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.status = 'active' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.status = 'expired' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.status = 'withdrawn' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.status <> 'withdrawn' THEN e.progress_percent ELSE 0 END)
        FROM enrolments e JOIN users u ON u.id = e.user_id
        WHERE u.administration_id IS NOT NULL
        GROUP BY u.administration_id, e.course_id, COALESCE(e.run_id, 0)
        """
    )


def downgrade():
    op.drop_table('administration_headcounts')
    with op.batch_alter_table('enrolment_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_tallies_course_id'))
    op.drop_table('enrolment_tallies')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_administration_id_personnel_number', type_='unique')
        batch_op.drop_column('unit')
        batch_op.drop_column('personnel_number')
