"""Search: question terms, FTS5 queries, rank fusion and hybrid retrieval, shared by answers and summaries."""
