"""catalog indexes: one per filter, each ending in the id, so every catalog page is a short
walk down an index newest first (keyset pagination), however many listings there are

Revision ID: 0003_catalog_indexes
Revises: 0002_orders
Create Date: 2026-11-25 06:18:31.473665

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003_catalog_indexes"
down_revision = "0002_orders"
branch_labels = None
depends_on = None


def upgrade():
    # The new (column, id) indexes replace the single-column ones, which they cover.
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index('ix_listings_seller_newest', ['seller_id', 'id'], unique=False)
        batch_op.create_index('ix_listings_species_newest', ['species_code', 'id'], unique=False)
        batch_op.create_index('ix_listings_species_name_newest', ['species_name', 'id'], unique=False)
        batch_op.create_index('ix_listings_port_newest', ['landing_port_code', 'id'], unique=False)
        batch_op.create_index('ix_listings_port_name_newest', ['landing_port', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_listings_landing_port_code'))
        batch_op.drop_index(batch_op.f('ix_listings_seller_id'))
        batch_op.drop_index(batch_op.f('ix_listings_species_code'))


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_species_code'), ['species_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_landing_port_code'), ['landing_port_code'], unique=False)
        batch_op.drop_index('ix_listings_species_newest')
        batch_op.drop_index('ix_listings_species_name_newest')
        batch_op.drop_index('ix_listings_seller_newest')
        batch_op.drop_index('ix_listings_port_newest')
        batch_op.drop_index('ix_listings_port_name_newest')
