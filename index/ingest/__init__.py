"""Ingest: article files, folders and records -> clean fields, sentences and dates, deduplicated, then stored."""
