"""Append-only enforcement in the database: UPDATE, DELETE (and on PostgreSQL TRUNCATE) of the
audit table are rejected by triggers. Installed by migration audit.0002.

`remove` exists for test teardown only (a transactional test must empty every table); the
production database role should not own the table, so it cannot drop the triggers either.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

PG_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_auditevent is append-only';
    END;
    $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;",
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only();""",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;",
    """CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();""",
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;",
]
SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
]


def _run(connection: BaseDatabaseWrapper, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    _run(connection, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(connection: BaseDatabaseWrapper) -> None:
    _run(connection, {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE})
