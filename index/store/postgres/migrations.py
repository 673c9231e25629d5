"""Numbered migrations applied to a PostgreSQL database per component, newsbot_schema counting those it has had."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from index.store.errors import StoreError

# The server's features the schema needs: UNIQUE NULLS NOT DISTINCT (15), HNSW built in parallel (pgvector 0.6).
POSTGRES_NEEDED = 150000
PGVECTOR_NEEDED = (0, 6)
# pg_advisory_xact_lock's key while the schema changes: one process migrates, the others wait and then see it done.
_SCHEMA_LOCK = (18, 0)


def version_fault(server_version: int, pgvector: str | None) -> str | None:
    """What the server lacks, in one line (None: it has what the schema needs)."""
    if server_version < POSTGRES_NEEDED:
        major = server_version // 10000
        return f"PostgreSQL {major} is too old: newsbot needs PostgreSQL 15 or newer"
    if pgvector is None:
        return "the pgvector extension is not installed on the server: newsbot needs pgvector 0.6 or newer"
    if tuple(int(part) for part in pgvector.split(".")[:2]) < PGVECTOR_NEEDED:
        return f"pgvector {pgvector} is too old: newsbot needs pgvector 0.6 or newer"
    return None


async def prepare(connection: Any) -> None:
    """Check the server's versions and enable pgvector in the database, or raise a one-line StoreError."""
    server_version = int(await connection.fetchval("SHOW server_version_num"))
    available = await connection.fetchval(
        "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
    fault = version_fault(server_version, available)
    if fault:
        raise StoreError(fault)
    database = await connection.fetchval("SELECT current_database()")
    installed = await connection.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    if installed is None:
        await _enable_pgvector(connection, database)
        installed = await connection.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    fault = version_fault(server_version, installed)
    if fault:  # an older pgvector enabled in this database before the server's was upgraded
        raise StoreError(f"{fault} (in {database}: ALTER EXTENSION vector UPDATE)")


async def _enable_pgvector(connection: Any, database: str) -> None:
    """CREATE EXTENSION vector, or a one-line StoreError saying whom to ask (only needed once per database)."""
    try:
        async with connection.transaction():
            # Under the lock: two processes creating the extension at once would collide on pg_extension.
            await connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *_SCHEMA_LOCK)
            await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except asyncpg.InsufficientPrivilegeError:
        raise StoreError(f"not allowed to enable pgvector in {database}: ask the database owner to run "
                         f"CREATE EXTENSION vector in {database}") from None


async def migrate(connection: Any, component: str, migrations: Sequence[str], schema: str | None = None) -> None:
    """Apply a component's pending migrations (into its own `schema` if given), each in a transaction; refuse newer."""
    # Read first, with no lock and no DDL: a user who may only read opens an up-to-date library.
    if await connection.fetchval("SELECT to_regclass('newsbot_schema')") is not None and await schema_version(
            connection, component) == len(migrations):
        return
    while await _migrate_once(connection, component, migrations, schema):
        pass


async def _migrate_once(connection: Any, component: str, migrations: Sequence[str], schema: str | None) -> bool:
    """Apply the next pending migration under the schema lock (False: none was pending)."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *_SCHEMA_LOCK)
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS newsbot_schema (component text PRIMARY KEY, version int NOT NULL)")
        # Read under the lock: another process may have migrated while this one waited.
        version = await schema_version(connection, component)
        if version > len(migrations):
            database = await connection.fetchval("SELECT current_database()")
            raise StoreError(f"{database}: {component} made by a newer newsbot (schema {version}); upgrade newsbot")
        if version == len(migrations):
            return False
        # Counted first: the search path below then holds only the component's schema until this transaction ends.
        await connection.execute(
            "INSERT INTO newsbot_schema (component, version) VALUES ($1, $2)"
            " ON CONFLICT (component) DO UPDATE SET version = excluded.version", component, version + 1)
        if schema:
            await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            await connection.execute(f"SET LOCAL search_path TO {schema}")
        await connection.execute(migrations[version])
        return True


async def schema_version(connection: Any, component: str) -> int:
    """How many of a component's migrations the database has had (0: none yet)."""
    version = await connection.fetchval("SELECT version FROM newsbot_schema WHERE component = $1", component)
    return int(version or 0)
