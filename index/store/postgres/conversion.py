"""SQLite rows in PostgreSQL's types (times, days, flags, whole numbers, id lists, vectors), with the columns
PostgreSQL keeps beside a library's (search keys, word counts, folded text) worked out as its own store writes them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from index.store.blobs import as_stored, matrix_from_blobs, to_blob
from index.store.errors import StoreError
from index.store.postgres.store import search_key
from index.store.postgres.text import fold, token_count

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """A column of a PostgreSQL table, as the copy needs to know it."""

    name: str
    type: str  # information_schema's data_type ("timestamp with time zone", "ARRAY", ...); "vector" for pgvector's
    identity: bool = False  # GENERATED ALWAYS AS IDENTITY: written only with OVERRIDING SYSTEM VALUE


# Columns SQLite does not keep, made from those it does, as index/store/postgres/store.py and the usage log make them.
DERIVED: dict[str, Callable[[Row], object]] = {
    "search_key": lambda row: search_key(row["title"], row["source"]),
    "tokens": lambda row: token_count(row["text"]),
    "tsv": lambda row: fold(row["text"]),  # to_tsvector runs on the server (value_sql)
    "question_key": lambda row: row["question"].casefold(),
}


def value_sql(column: Column, number: int) -> str:
    """The VALUES expression that writes parameter $number into the column."""
    return f"to_tsvector('newsbot', ${number}::text)" if column.type == "tsvector" else f"${number}"


def instant(text: str | None) -> datetime | None:
    """A stored time (index/store/clock.py's ISO text, or SQLite's CURRENT_TIMESTAMP "YYYY-MM-DD HH:MM:SS") as a
    timestamptz takes it; one without a zone is UTC, as SQLite's are."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day(text: str | None) -> date | None:
    """A stored day; "" (what the first newsbot stored for no date) is none, as the SQLite store reads it."""
    return date.fromisoformat(text) if text else None


def id_list(text: str) -> list[int]:
    """The JSON list of sentence ids a logged question quoted."""
    ids = json.loads(text)
    if not isinstance(ids, list) or not all(isinstance(value, int) for value in ids):
        raise ValueError("not a list of sentence ids")
    return ids


def flag(value: object) -> bool | None:
    """A SQLite flag (0 or 1) as a boolean."""
    if value is None:
        return None
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError("not 0 or 1")


def whole(value: object) -> int | None:
    """A whole number, which SQLite may hold as text in a column of any type."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        return int(value)
    raise ValueError("not a whole number")


_BY_TYPE: dict[str, Callable[[Any], object]] = {
    "timestamp with time zone": instant, "date": day, "boolean": flag, "ARRAY": id_list,
    "bigint": whole, "integer": whole, "smallint": whole,
}


def converted(table: str, columns: Sequence[Column], rows: Sequence[Row], dimension: int) -> list[tuple[Any, ...]]:
    """The rows as PostgreSQL's columns take them, in the columns' order; one line naming the value it cannot read."""
    values = [[_value(table, column, row) for column in columns] for row in rows]
    for n, column in enumerate(columns):
        if column.name == "embedding":  # every row's at once: a batch of blobs decodes as one matrix
            embeddings = _embeddings(table, column, [row["embedding"] for row in rows], dimension)
            for row_values, embedding in zip(values, embeddings, strict=True):
                row_values[n] = embedding
    return [tuple(row_values) for row_values in values]


def _value(table: str, column: Column, row: Row) -> object:
    """One value of a row in the column's type."""
    if column.name not in row:
        return DERIVED[column.name](row)
    convert = _BY_TYPE.get(column.type)
    if convert is None or column.name == "embedding":
        return row[column.name]
    try:
        return convert(row[column.name])
    except (ValueError, TypeError) as error:
        key = next(iter(row.items()))
        raise StoreError(f"{table} {key[0]} {key[1]!r}: {column.name} {str(row[column.name])[:40]!r} cannot be "
                         f"copied ({error}); correct it in the SQLite file and copy again") from None


def _embeddings(table: str, column: Column, blobs: Sequence[bytes], dimension: int) -> Sequence[object]:
    """Stored embeddings as the column keeps them: float32 vectors rounded as float16 (what the store writes), or
    float16 bytes, an older library's float32 blobs included."""
    try:
        matrix = as_stored(matrix_from_blobs(blobs, dimension))
    except ValueError as error:
        raise StoreError(f"{table}: {error}; the library's dimension is {dimension}") from None
    if column.type == "vector":
        return list(matrix)
    return [blob if len(blob) == 2 * dimension else to_blob(vector) for blob, vector in zip(blobs, matrix,
                                                                                           strict=True)]
