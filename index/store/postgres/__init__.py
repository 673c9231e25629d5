"""The PostgreSQL store: the library in a database many processes share, vectors in pgvector columns."""
