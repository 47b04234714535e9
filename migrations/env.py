"""Alembic environment: the app's engine, or a connection handed in by tests and the CLI."""

from __future__ import annotations

from alembic import context

from catalog.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs need batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from catalog import create_app
    from catalog.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            _run(connection)
            connection.commit()


def run_migrations_offline() -> None:
    from config import database_url

    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
