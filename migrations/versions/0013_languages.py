"""languages: a person's interface language, and course content in several languages

- users.language: en, de, es, it or fr (CHECK); NULL means the browser's language, else English.
- courses.languages: the languages a course is offered in; existing courses: their own.
- translations (JSON, {language: {field: text}}) on courses, course_modules, course_lessons,
  course_quizzes, quiz_questions and quiz_options, matched by key at import.
- course_enrollments.language: the language the learner chose for the course (NULL: their own).
- course_certificates.language: the language the certificate was issued in.

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TRANSLATED = ('courses', 'course_modules', 'course_lessons', 'course_quizzes', 'quiz_questions', 'quiz_options')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
        batch_op.create_check_constraint('language', "language IS NULL OR language IN ('en', 'de', 'es', 'it', 'fr')")
    _restore_email_index()
    for table in TRANSLATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='[]'))
    op.execute("UPDATE courses SET languages = '[\"' || language || '\"]'" if op.get_bind().dialect.name == 'sqlite'
               else "UPDATE courses SET languages = json_build_array(language)")
    with op.batch_alter_table('course_enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
    with op.batch_alter_table('course_certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=False, server_default='en'))


def downgrade():
    with op.batch_alter_table('course_certificates', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('course_enrollments', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('languages')
    for table in TRANSLATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('ck_users_language', type_='check')
        batch_op.drop_column('language')
    _restore_email_index()


def _restore_email_index():
    """On SQLite, batch mode rebuilds the table and cannot carry the expression index on
    lower(email) across (it is not reflected): create it again (as 0007 does)."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_users_email_lower ON users (lower(email))")
