"""Passage vectors derived from their sentences' vectors, or embedded from the passage's text."""

import numpy as np

from index.embedder import HashingEmbedder
from index.ingest.preparation import embed_split, passage_vectors, split_articles
from index.models import Article

TEXT = ("The harbour authority closed the northern terminal on Monday. Cranes stood idle along the quay. "
        "Shipping lines diverted three vessels to Port Alder. Dock workers were sent home on full pay. "
        "The authority said repairs would take a week. Traders warned of higher prices for imported grain.")


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, remembering every text it embedded."""

    def __init__(self) -> None:
        super().__init__(64)
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return super().embed(texts)


def test_a_passage_vector_is_the_renormalised_mean_of_its_sentences():
    sentences = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    vectors = passage_vectors(sentences, [(0, 2), (1, 3), (2, 3)])
    half = 1 / np.sqrt(2)
    np.testing.assert_allclose(vectors, [[half, half, 0], [0, half, half], [0, 0, 1]], rtol=1e-6)
    assert vectors.dtype == np.float32


def test_sentences_that_cancel_out_give_a_zero_vector_not_a_division_by_zero():
    sentences = np.array([[1.0, 0.0], [-1.0, 0.0]], dtype=np.float32)
    assert passage_vectors(sentences, [(0, 2)]).tolist() == [[0.0, 0.0]]
    assert passage_vectors(sentences, []).shape == (0, 2)


def test_mean_passages_embed_each_sentence_once_and_model_passages_embed_the_passages_too():
    article = Article("port", "Port closes terminal", TEXT)
    mean, model = CountingEmbedder(), CountingEmbedder()
    [by_mean] = embed_split(split_articles([article], 3, 1), mean, "mean")
    [by_model] = embed_split(split_articles([article], 3, 1), model, "model")
    sentences = [segment.text for segment in by_mean.segments]
    assert mean.texts == sentences
    assert model.texts[:len(sentences)] == sentences and len(model.texts) == len(sentences) + len(by_model.windows)
    np.testing.assert_array_equal(by_mean.sentence_embeddings, by_model.sentence_embeddings)
    np.testing.assert_allclose(by_mean.chunk_embeddings, passage_vectors(by_mean.sentence_embeddings,
                                                                         by_mean.windows))
    assert by_mean.chunk_embeddings.shape == by_model.chunk_embeddings.shape
