"""printing offices: stock per office, transfers between them

Revision ID: 0005l
Revises: 0004l
Create Date: 2026-12-02 05:00:00

Every ledger entry, counter row, announced delivery and print site belongs to a printing
office. The office an installation already had becomes office 1 (at the site of its
first print site, or its main office), so its figures do not change.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import scheduler.db


# revision identifiers, used by Alembic.
revision = '0005l'
down_revision = '0004l'
branch_labels = None
depends_on = None

OFFICE_FK = ('printing_offices', ['office_id'], ['id'])


def _default_site(conn):
    site = conn.execute(sa.text("SELECT site_id FROM print_sites ORDER BY id LIMIT 1")).scalar()
    if site is None:
        site = conn.execute(
            sa.text("SELECT id FROM sites WHERE kind = 'office' ORDER BY id LIMIT 1")
        ).scalar()
    return site


def _office_column(table, fill=True):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
    if fill:
        op.execute(sa.text(f"UPDATE {table} SET office_id = 1"))


def _office_not_null(batch_op, table):
    batch_op.alter_column('office_id', existing_type=sa.Integer(), nullable=False)
    batch_op.create_foreign_key(
        batch_op.f(f'fk_{table}_office_id_printing_offices'), *OFFICE_FK, ondelete='RESTRICT'
    )


def upgrade():
    op.create_table('printing_offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_printing_offices_site_id_sites'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_printing_offices')),
    sa.UniqueConstraint('name', name=op.f('uq_printing_offices_name')),
    sa.UniqueConstraint('site_id', name=op.f('uq_printing_offices_site_id'))
    )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO printing_offices (id, name, site_id, created_at) "
            "VALUES (1, 'Kantor Disdukcapil', :site, :at)"
        ),
        {"site": _default_site(conn), "at": datetime.now(UTC).replace(tzinfo=None)},
    )
    op.create_table('stock_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_office_id', sa.Integer(), nullable=False),
    sa.Column('to_office_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('transferred_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('from_office_id <> to_office_id', name=op.f('ck_stock_transfers_two_offices')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_transfers_quantity')),
    sa.ForeignKeyConstraint(['from_office_id'], ['printing_offices.id'], name=op.f('fk_stock_transfers_from_office_id_printing_offices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['to_office_id'], ['printing_offices.id'], name=op.f('fk_stock_transfers_to_office_id_printing_offices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stock_transfers_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_transfers'))
    )

    _office_column('blank_stock')
    with op.batch_alter_table('blank_stock', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_blank_stock_single_row'), type_='check')
        _office_not_null(batch_op, 'blank_stock')
        batch_op.create_unique_constraint(batch_op.f('uq_blank_stock_office_id'), ['office_id'])

    _office_column('stock_entries')
    with op.batch_alter_table('stock_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_id', sa.Integer(), nullable=True))
        _office_not_null(batch_op, 'stock_entries')
        batch_op.create_foreign_key(batch_op.f('fk_stock_entries_transfer_id_stock_transfers'), 'stock_transfers', ['transfer_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_constraint(batch_op.f('ck_stock_entries_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_stock_entries_delta_sign'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_stock_entries_kind'), "kind IN ('received','used','spoiled','correction','transfer')")
        batch_op.create_check_constraint(batch_op.f('ck_stock_entries_delta_sign'), "(kind = 'received' AND delta > 0) OR (kind IN ('used','spoiled') AND delta < 0) OR (kind IN ('correction','transfer') AND delta <> 0)")
        batch_op.create_check_constraint(batch_op.f('ck_stock_entries_transfer'), "(kind = 'transfer') = (transfer_id IS NOT NULL)")
        batch_op.create_unique_constraint(batch_op.f('uq_stock_entries_transfer_id'), ['transfer_id', 'office_id'])
        batch_op.create_index('ix_stock_entries_office_on', ['office_id', 'entry_on'], unique=False)

    for table in ('expected_deliveries', 'print_sites'):
        _office_column(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            _office_not_null(batch_op, table)


def downgrade():
    if op.get_bind().execute(sa.text("SELECT count(*) FROM printing_offices WHERE id <> 1")).scalar():
        raise RuntimeError("more than one printing office: merge their stock before downgrading")
    for table in ('print_sites', 'expected_deliveries'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_office_id_printing_offices'), type_='foreignkey')
            batch_op.drop_column('office_id')
    op.execute(sa.text("DELETE FROM stock_entries WHERE kind = 'transfer'"))
    with op.batch_alter_table('stock_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_entries_office_on')
        batch_op.drop_constraint(batch_op.f('uq_stock_entries_transfer_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_stock_entries_transfer'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_stock_entries_delta_sign'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_stock_entries_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_stock_entries_kind'), "kind IN ('received','used','spoiled','correction')")
        batch_op.create_check_constraint(batch_op.f('ck_stock_entries_delta_sign'), "(kind = 'received' AND delta > 0) OR (kind IN ('used','spoiled') AND delta < 0) OR (kind = 'correction' AND delta <> 0)")
        batch_op.drop_constraint(batch_op.f('fk_stock_entries_transfer_id_stock_transfers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_stock_entries_office_id_printing_offices'), type_='foreignkey')
        batch_op.drop_column('transfer_id')
        batch_op.drop_column('office_id')
    with op.batch_alter_table('blank_stock', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_blank_stock_office_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_blank_stock_office_id_printing_offices'), type_='foreignkey')
        batch_op.drop_column('office_id')
        batch_op.create_check_constraint(batch_op.f('ck_blank_stock_single_row'), 'id = 1')
    op.drop_table('stock_transfers')
    op.drop_table('printing_offices')
