"""Shared pytest configuration: the `model` marker and the real embedder fixture."""

from __future__ import annotations

import pytest

from index.embedder import SentenceTransformerEmbedder


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers used by this suite."""
    config.addinivalue_line("markers", "model: uses the real sentence-transformers model; slower")


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The default model, loaded once per test session."""
    return SentenceTransformerEmbedder()
