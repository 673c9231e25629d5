"""The store: SQLite tables, migrations, the FAISS file, and what a failing disk means to the user."""
