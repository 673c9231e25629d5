"""The SQLite store: the library in one file beside its FAISS vector indexes, the embedded default."""
