"""Writing rows in bulk: COPY or batched INSERTs, reserved ids, indexes dropped for the load."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.db import connection

from cases.models import Adoption, Case, CaseEvent, CaseTerm, Change, SpreadActivity


class Rows:
    """Rows of one table, written in batches without building model instances.

    PostgreSQL: COPY ... FROM STDIN (text format), the fastest way in. Other databases: one
    executemany of INSERTs per batch, each value prepared by its model field as Django would.
    Columns left out take the field's default; the generated search_vector is never written.
    """

    def __init__(self, model, *, batch: int = 20000, with_id: bool = False):
        self.table = model._meta.db_table
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not f.generated and (with_id or not f.primary_key)
        ]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.rows: list[tuple] = []
        self.batch = batch
        self.count = 0

    def add(self, **values) -> None:
        defaults = self.defaults
        self.rows.append(
            tuple(
                values[f.attname] if f.attname in values else defaults[f.attname]
                for f in self.fields
            )
        )
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                text = "".join(
                    "\t".join(_copy_text(value) for value in row) + "\n" for row in self.rows
                )
                _copy(cursor, f"COPY {self.table} ({columns}) FROM STDIN", text)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({columns}) VALUES ({placeholders})",
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(self.fields, row, strict=True)
                        ]
                        for row in self.rows
                    ],
                )
        self.count += len(self.rows)
        self.rows = []


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value.__class__ is str:
        if "\\" in value:
            value = value.replace("\\", "\\\\")
        return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        return _copy_text(json.dumps(value, ensure_ascii=False))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _copy(cursor, sql: str, text: str) -> None:
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, io.StringIO(text))
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            copy.write(text)


def reserve_ids(model, count: int) -> int:
    """The first of `count` consecutive ids nobody else will be given; rows are written with
    their ids, so the cases' ids are known without reading them back."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = cursor.fetchone()[0]
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
            )
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


# Tables the load writes in bulk. On PostgreSQL their secondary (non-unique) indexes and their
# foreign keys are dropped for the load and made again afterwards: building an index once and
# checking a foreign key with one join are several times faster than doing both row by row
# (PostgreSQL's manual, "Populating a Database"). Unique indexes stay, and check as rows arrive.
BULK_TABLES = [
    Case._meta.db_table,
    CaseTerm._meta.db_table,
    Case.partners.through._meta.db_table,
    CaseEvent._meta.db_table,
    Adoption._meta.db_table,
    SpreadActivity._meta.db_table,
    Change._meta.db_table,
]


def drop_for_load() -> list[str]:
    """Drop the bulk tables' non-unique indexes and foreign keys; return the statements that
    make them again. Inside the load's transaction, so a failure brings them back with the
    rollback."""
    with connection.cursor() as cursor:
        # Checks still pending (the organisations just written) would block the ALTER TABLEs.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index "
            "JOIN pg_class index ON index.oid = pg_index.indexrelid "
            "JOIN pg_class tbl ON tbl.oid = pg_index.indrelid "
            "WHERE tbl.relname = ANY(%s) AND NOT pg_index.indisunique "
            "AND NOT pg_index.indisprimary ORDER BY index.relname",
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT tbl.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class tbl ON tbl.oid = con.conrelid "
            "WHERE con.contype = 'f' AND tbl.relname = ANY(%s) ORDER BY tbl.relname, con.conname",
            [BULK_TABLES],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in foreign_keys
    ]


def restore_after_load(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        # PostgreSQL builds no index on a table with deferred checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
