"""Alembic environment: migrations always run on a connection handed over by ``models.database``."""

from __future__ import annotations

from alembic import context

from models.entities import Base, described_by_models

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through models.database.upgrade_schema, which supplies a connection.")

# render_as_batch: SQLite cannot ALTER most things, so Alembic copies and renames tables instead.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_name=described_by_models,
)
with context.begin_transaction():
    context.run_migrations()
