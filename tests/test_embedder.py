"""Tests for index.embedder: the hashing fake, dispatch, and the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from index.embedder import (
    DEFAULT_MODEL,
    EmbedderError,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    load_embedder,
)

SENTENCES = [
    "Russian forces shelled the city of Kharkiv overnight.",
    "The central bank raised interest rates by half a point.",
    "",
    "the of and",
]
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two unit vectors."""
    return float(np.dot(a, b))


def test_hashing_is_deterministic_across_instances() -> None:
    first = HashingEmbedder(64).embed(SENTENCES)
    second = HashingEmbedder(64).embed(SENTENCES)
    np.testing.assert_array_equal(first, second)


def test_hashing_is_deterministic_across_processes() -> None:
    # A fresh interpreter gets a different PYTHONHASHSEED, which would change hash().
    script = (
        "import json, sys; from index.embedder import HashingEmbedder; "
        "print(json.dumps(HashingEmbedder(64).embed(json.loads(sys.argv[1])).tolist()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(SENTENCES)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    other = np.array(json.loads(result.stdout), dtype=np.float32)
    np.testing.assert_array_equal(other, HashingEmbedder(64).embed(SENTENCES))


def test_hashing_shape_dtype_and_norms() -> None:
    vectors = HashingEmbedder(128).embed(SENTENCES)
    assert vectors.shape == (4, 128)
    assert vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    np.testing.assert_allclose(norms[:2], 1.0, rtol=1e-6)
    # Empty text and stopwords only: no features, so the row stays zero.
    np.testing.assert_array_equal(norms[2:], 0.0)


def test_hashing_empty_input() -> None:
    vectors = HashingEmbedder(32).embed([])
    assert vectors.shape == (0, 32)
    assert vectors.dtype == np.float32
    featureless = HashingEmbedder(32).embed(["the", ""])
    assert featureless.dtype == np.float32
    np.testing.assert_array_equal(featureless, np.zeros((2, 32), dtype=np.float32))


def test_hashing_related_sentences_score_higher() -> None:
    query, related, unrelated = HashingEmbedder().embed(
        [
            "Artillery shelling hit Kharkiv",
            "Kharkiv was shelled by artillery",
            "The central bank raised interest rates",
        ]
    )
    assert cosine(query, related) > cosine(query, unrelated) + 0.3


def test_hashing_character_grams_link_inflections() -> None:
    shelling, shelled, banking = HashingEmbedder().embed(["shelling", "shelled", "banking"])
    assert cosine(shelling, shelled) > 0.1
    assert cosine(shelling, shelled) > cosine(shelling, banking)


def test_hashing_name_and_dimension() -> None:
    embedder = HashingEmbedder(300)
    assert embedder.name == "hashing-300"
    assert embedder.dimension == 300


def test_hashing_rejects_bad_dimension() -> None:
    with pytest.raises(ValueError):
        HashingEmbedder(0)
    with pytest.raises(ValueError, match="from 1 to 4096"):
        HashingEmbedder(4097)


@pytest.mark.parametrize("name", ["hashing-0", "hashing-4097", "hashing-99999999999", "hashing-" + "9" * 5000])
def test_a_hashing_dimension_out_of_range_is_one_embedder_error(name) -> None:
    with pytest.raises(EmbedderError, match=r'"hashing-\d+": the hashing dimension must be from 1 to 4096'):
        load_embedder(name, 64, "cpu", None)


def test_load_embedder_dispatch() -> None:
    default_hashing = load_embedder("hashing", 64, "cpu", None)
    assert isinstance(default_hashing, HashingEmbedder)
    assert default_hashing.dimension == 256
    sized = load_embedder("hashing-48", 64, "cpu", None)
    assert isinstance(sized, HashingEmbedder)
    assert sized.dimension == 48
    real = load_embedder(DEFAULT_MODEL, 16, "cpu", 1, backend="torch")
    assert isinstance(real, SentenceTransformerEmbedder)
    assert real.name == DEFAULT_MODEL
    assert isinstance(load_embedder("hashingbird", 64, "cpu", None, backend="torch"), SentenceTransformerEmbedder)


def test_sentence_transformer_embedder_is_lazy() -> None:
    # Construction must not touch the model, so a bad name only fails on use.
    embedder = SentenceTransformerEmbedder("no-such-org/no-such-model")
    assert embedder.name == "no-such-org/no-such-model"


@pytest.mark.parametrize("model", ["no-such-org/no-such-model", "/nonexistent/model/dir"])
def test_bad_model_raises_one_line_error(model: str) -> None:
    embedder = SentenceTransformerEmbedder(model)
    with pytest.raises(EmbedderError) as info:
        embedder.embed(["hello"])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f'cannot load embedding model "{model}": ')
    assert message.endswith("; set embedding.model to a local path or to all-MiniLM-L6-v2")


def test_bad_model_error_on_dimension() -> None:
    with pytest.raises(EmbedderError):
        _ = SentenceTransformerEmbedder("/nonexistent/model/dir").dimension


@pytest.mark.model
def test_real_model_dimension_and_norms(real_embedder: SentenceTransformerEmbedder) -> None:
    assert real_embedder.dimension == 384
    vectors = real_embedder.embed(SENTENCES[:2])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


@pytest.mark.model
def test_real_model_empty_input(real_embedder: SentenceTransformerEmbedder) -> None:
    vectors = real_embedder.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


@pytest.mark.model
def test_real_model_semantics(real_embedder: SentenceTransformerEmbedder) -> None:
    query, related, unrelated = real_embedder.embed(
        [
            "Russian drones attacked Kyiv overnight",
            "Drones struck the Ukrainian capital during the night",
            "The central bank raised interest rates",
        ]
    )
    assert cosine(query, related) > cosine(query, unrelated) + 0.2


@pytest.mark.model
def test_real_model_packaged_aliases_agree(real_embedder: SentenceTransformerEmbedder) -> None:
    alias = SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    text = ["Kyiv was attacked by drones"]
    np.testing.assert_allclose(alias.embed(text), real_embedder.embed(text), atol=1e-6)


@pytest.mark.model
def test_real_model_concurrent_embeds(real_embedder: SentenceTransformerEmbedder) -> None:
    # The bot embeds from worker threads; a shared fast tokenizer must not break.
    texts = [f"Sentence number {i} about the war in Ukraine." for i in range(40)]
    expected = real_embedder.embed(texts)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(real_embedder.embed(texts))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-5)


def test_a_front_end_hears_before_a_model_loads_and_only_once(tmp_path: Path) -> None:
    heard: list[str] = []
    missing = str(tmp_path / "no-such-model")
    embedder = load_embedder(missing, 8, "cpu", None, on_load=heard.append)
    with pytest.raises(EmbedderError):
        embedder.embed(["a sentence"])
    assert heard == [missing]  # said before the (failed) load, so a slow load is never silent
    load_embedder("hashing", 8, "cpu", None, on_load=heard.append).embed(["a sentence"])
    assert heard == [missing]  # the hashing embedder loads nothing


@pytest.mark.model
def test_the_command_says_it_is_loading_the_model(tmp_path: Path) -> None:
    from tests.newsbot_process import EXAMPLES, newsbot

    run = newsbot(tmp_path, "ingest", str(EXAMPLES), config="")
    assert run.returncode == 0 and run.stderr == f"loading the embedding model ({DEFAULT_MODEL})...\n"


def test_a_very_long_word_is_hashed_by_its_start() -> None:
    embedder = HashingEmbedder(64)
    start = "x" * 64
    long_word, its_start = embedder.embed([start + "y" * 100_000, start])
    assert np.array_equal(long_word, its_start)


def test_many_texts_embed_as_each_one_alone() -> None:
    embedder = HashingEmbedder(32)
    texts = [f"story number {n} about drones" for n in range(600)]
    together = embedder.embed(texts)
    assert together.shape == (600, 32)
    assert np.array_equal(together[[0, 300, 599]], embedder.embed([texts[0], texts[300], texts[599]]))
