"""initial schema

Revision ID: 45661f1e4042
Revises:
Create Date: 2026-11-24 14:21:32.156517
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '45661f1e4042'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.Enum('province', 'district', 'commune', name='unitlevel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_units.id'], name=op.f('fk_admin_units_parent_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_units')),
    sa.UniqueConstraint('code', 'valid_from', name=op.f('uq_admin_units_code_valid_from'))
    )
    with op.batch_alter_table('admin_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_units_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('issuing_bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=250), nullable=False),
    sa.Column('abbreviation', sa.String(length=40), nullable=False),
    sa.Column('header_lines', sa.JSON(), nullable=False),
    sa.Column('parent_header', sa.String(length=120), nullable=True),
    sa.Column('place_name', sa.String(length=80), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('parent_body_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_body_id'], ['issuing_bodies.id'], name=op.f('fk_issuing_bodies_parent_body_id_issuing_bodies')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_issuing_bodies_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuing_bodies')),
    sa.UniqueConstraint('slug', name=op.f('uq_issuing_bodies_slug'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_people_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_unit_id'), ['unit_id'], unique=False)

    op.create_table('number_registers',
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuing_bodies.id'], name=op.f('fk_number_registers_issuer_id_issuing_bodies')),
    sa.PrimaryKeyConstraint('issuer_id', 'year', 'kind', name=op.f('pk_number_registers'))
    )
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('symbol', sa.String(length=60), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('legal_bases', sa.JSON(), nullable=False),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('fieldwork_start', sa.Date(), nullable=False),
    sa.Column('fieldwork_end', sa.Date(), nullable=False),
    sa.Column('coverage_rule', sa.Enum('none', 'one_commune_per_district', name='coveragerule', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('households_per_commune', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed', 'cancelled', name='planstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuing_bodies.id'], name=op.f('fk_plans_issuer_id_issuing_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('issuer_id', 'year', 'number', 'symbol', name=op.f('uq_plans_issuer_id_year_number_symbol'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_state'), ['state'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=40), nullable=True),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_audit_entries_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_created_dt'), ['created_dt'], unique=False)
        batch_op.create_index('ix_audit_entries_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_plan_id'), ['plan_id'], unique=False)

    op.create_table('commune_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('per_district', sa.Integer(), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_commune_draws_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_draws'))
    )
    with op.batch_alter_table('commune_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_draws_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('content', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pinned_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_checklists_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_checklists')),
    sa.UniqueConstraint('plan_id', 'checklist_id', name=op.f('uq_plan_checklists_plan_id_checklist_id'))
    )
    with op.batch_alter_table('plan_checklists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_checklists_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_target_units',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_target_units_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_plan_target_units_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('plan_id', 'unit_id', name=op.f('pk_plan_target_units'))
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_teams_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_teams_plan_id_number'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_plan_id'), ['plan_id'], unique=False)

    op.create_table('conclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['admin_units.id'], name=op.f('fk_conclusions_district_id_admin_units')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_conclusions_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_conclusions_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusions')),
    sa.UniqueConstraint('plan_id', 'district_id', name=op.f('uq_conclusions_plan_id_district_id'))
    )
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conclusions_plan_id'), ['plan_id'], unique=False)

    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('leader', 'deputy', 'member', 'secretary', name='teamrole', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_team_members_person_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('team_id', 'person_id', name=op.f('uq_team_members_team_id_person_id'))
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_team_members_one_leader', ['team_id'], unique=True, sqlite_where=sa.text("role = 'leader'"), postgresql_where=sa.text("role = 'leader'"))

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=250), nullable=False),
    sa.Column('state', sa.Enum('scheduled', 'in_progress', 'submitted', 'returned', 'reviewed', 'cancelled', name='visitstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('submitted_dt', sa.DateTime(), nullable=True),
    sa.Column('reviewed_dt', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_units.id'], name=op.f('fk_visits_commune_id_admin_units')),
    sa.ForeignKeyConstraint(['district_id'], ['admin_units.id'], name=op.f('fk_visits_district_id_admin_units')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_visits_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['people.id'], name=op.f('fk_visits_reviewed_by_id_people')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_visits_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_team_id'), ['team_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('type_code', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('symbol', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'issued', name='documentstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('issued_by', sa.String(length=120), nullable=True),
    sa.Column('issued_dt', sa.DateTime(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['admin_units.id'], name=op.f('fk_documents_district_id_admin_units')),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuing_bodies.id'], name=op.f('fk_documents_issuer_id_issuing_bodies')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_documents_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['documents.id'], name=op.f('fk_documents_supersedes_id_documents')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_documents_team_id_teams')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_documents_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('issuer_id', 'year', 'type_code', 'number', name=op.f('uq_documents_issuer_id_year_type_code_number'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_plan_id'), ['plan_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('achievement', 'limitation', 'cause', name='findingkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('category', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', name='severity', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('source', sa.Enum('report', 'records', 'household', 'observation', 'checklist', name='findingsource', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('checklist_item_id', sa.String(length=80), nullable=True),
    sa.Column('rule_id', sa.String(length=80), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('suggested', 'accepted', 'rejected', name='findingstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_findings_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_findings_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_visit_id'), ['visit_id'], unique=False)

    op.create_table('household_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('household_code', sa.String(length=40), nullable=False),
    sa.Column('head_name', sa.String(length=120), nullable=True),
    sa.Column('category', sa.Enum('poor', 'near_poor', 'escaped', name='householdcategory', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_household_consultations_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_consultations')),
    sa.UniqueConstraint('visit_id', 'household_code', name=op.f('uq_household_consultations_visit_id_household_code'))
    )
    with op.batch_alter_table('household_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_consultations_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('district', 'commune', 'invited', name='participantside', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_participants_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_participants'))
    )
    with op.batch_alter_table('visit_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_participants_visit_id'), ['visit_id'], unique=False)

    op.create_table('recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('conclusion_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('addressee_unit_id', sa.Integer(), nullable=True),
    sa.Column('addressee_body_id', sa.Integer(), nullable=True),
    sa.Column('addressee_label', sa.String(length=250), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('open', 'in_progress', 'overdue', 'done', 'verified', name='recommendationstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['addressee_body_id'], ['issuing_bodies.id'], name=op.f('fk_recommendations_addressee_body_id_issuing_bodies')),
    sa.ForeignKeyConstraint(['addressee_unit_id'], ['admin_units.id'], name=op.f('fk_recommendations_addressee_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['conclusion_id'], ['conclusions.id'], name=op.f('fk_recommendations_conclusion_id_conclusions')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_recommendations_finding_id_findings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_recommendations_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['people.id'], name=op.f('fk_recommendations_verified_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations'))
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_addressee_unit_id'), ['addressee_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendations_conclusion_id'), ['conclusion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendations_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendations_state'), ['state'], unique=False)

    op.create_table('follow_up_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('reported_by', sa.String(length=120), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('is_completed', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_follow_up_reports_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_reports'))
    )
    with op.batch_alter_table('follow_up_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_reports_recommendation_id'), ['recommendation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('follow_up_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_reports_recommendation_id'))

    op.drop_table('follow_up_reports')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_state'))
        batch_op.drop_index(batch_op.f('ix_recommendations_plan_id'))
        batch_op.drop_index(batch_op.f('ix_recommendations_conclusion_id'))
        batch_op.drop_index(batch_op.f('ix_recommendations_addressee_unit_id'))

    op.drop_table('recommendations')
    with op.batch_alter_table('visit_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_participants_visit_id'))

    op.drop_table('visit_participants')
    with op.batch_alter_table('household_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_consultations_visit_id'))

    op.drop_table('household_consultations')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_visit_id'))
        batch_op.drop_index(batch_op.f('ix_findings_plan_id'))

    op.drop_table('findings')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_plan_id'))

    op.drop_table('documents')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_team_id'))
        batch_op.drop_index(batch_op.f('ix_visits_state'))
        batch_op.drop_index(batch_op.f('ix_visits_plan_id'))
        batch_op.drop_index(batch_op.f('ix_visits_district_id'))
        batch_op.drop_index(batch_op.f('ix_visits_commune_id'))

    op.drop_table('visits')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index('uq_team_members_one_leader', sqlite_where=sa.text("role = 'leader'"), postgresql_where=sa.text("role = 'leader'"))
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))
        batch_op.drop_index(batch_op.f('ix_team_members_person_id'))

    op.drop_table('team_members')
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conclusions_plan_id'))

    op.drop_table('conclusions')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_plan_id'))

    op.drop_table('teams')
    op.drop_table('plan_target_units')
    with op.batch_alter_table('plan_checklists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_checklists_plan_id'))

    op.drop_table('plan_checklists')
    with op.batch_alter_table('commune_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_draws_plan_id'))

    op.drop_table('commune_draws')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_plan_id'))
        batch_op.drop_index('ix_audit_entries_entity')
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_dt'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_state'))

    op.drop_table('plans')
    op.drop_table('number_registers')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_unit_id'))

    op.drop_table('people')
    op.drop_table('issuing_bodies')
    with op.batch_alter_table('admin_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_admin_units_code'))

    op.drop_table('admin_units')
