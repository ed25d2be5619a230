from alembic import context

from rapidresponse import db, domains
from rapidresponse.db import get_engine

domains.load()  # every domain's tables
target_metadata = db.Base.metadata


def _for_dialect(name):
    """Skip model objects declared for another dialect only (``Index(...).ddl_if(dialect=...)``)."""
    def include(obj, _name, type_, _reflected, _compare_to):
        ddl_if = getattr(obj, "_ddl_if", None)
        if type_ == "index" and ddl_if is not None and ddl_if.dialect is not None:
            return name in ((ddl_if.dialect,) if isinstance(ddl_if.dialect, str) else ddl_if.dialect)
        return True
    return include


def run() -> None:
    connectable = context.config.attributes.get("connection") or get_engine()
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                          include_object=_for_dialect(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
