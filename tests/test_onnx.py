"""Tests of the ONNX Runtime embedder: pooling, batching, the export cache and the backend choice.

A tiny ONNX model built here (a word-vector lookup) stands in for the transformer, so only the tests marked
`model` export and run the real one.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace

from index import onnxexport
from index.embedder import DEFAULT_MODEL, EmbedderError, SentenceTransformerEmbedder, load_embedder
from index.onnxencoder import MANIFEST, Manifest, OnnxEmbedder, length_batches, pool
from index.onnxexport import UnsupportedModel, cache_root, cached_export

VOCAB = {"[PAD]": 0, "[UNK]": 1, "drones": 2, "hit": 3, "kyiv": 4, "rates": 5, "rose": 6, "again": 7, "today": 8}
HEAVY = ("torch", "transformers", "sentence_transformers")


def word_vectors() -> np.ndarray:
    """The tiny model's vector of each vocabulary entry."""
    return np.random.default_rng(7).normal(size=(len(VOCAB), 6)).astype(np.float32)


def write_tiny_export(folder: Path, max_seq_length: int = 3, pooling: str = "mean") -> None:
    """An export folder whose "transformer" looks up one vector per token."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    table = helper.make_tensor("table", TensorProto.FLOAT, word_vectors().shape, word_vectors().flatten())
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])], "lookup",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", 6])], [table])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8),
              str(folder / "model.onnx"))
    Manifest(model_file="model.onnx", pooling=pooling, max_seq_length=max_seq_length, do_lower_case=True,
             dimension=6, pad_id=0, inputs=("input_ids", "attention_mask")).dump(folder)


def expected(text: str, max_seq_length: int = 3) -> np.ndarray:
    """What the tiny model must give for a text: the unit mean of its first word vectors."""
    ids = [VOCAB.get(word, 1) for word in text.lower().split()][:max_seq_length]
    mean = word_vectors()[ids].mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_mean_pooling_averages_only_the_real_tokens_and_normalises():
    hidden = np.array([[[1.0, 0.0], [3.0, 0.0], [100.0, 100.0]], [[0.0, 2.0], [0.0, 2.0], [0.0, 2.0]]])
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    np.testing.assert_allclose(pool(hidden, mask, "mean"), [[1.0, 0.0], [0.0, 1.0]])


def test_cls_pooling_takes_the_first_token():
    hidden = np.array([[[3.0, 4.0], [9.0, 9.0]]])
    np.testing.assert_allclose(pool(hidden, np.ones((1, 2)), "cls"), [[0.6, 0.8]])


def test_other_poolings_are_refused():
    with pytest.raises(ValueError, match="pooling 'max' is not supported"):
        pool(np.ones((1, 1, 2)), np.ones((1, 1)), "max")


def test_length_batches_take_every_text_once_longest_first():
    lengths = [3, 9, 1, 9, 4, 2, 7]
    batches = list(length_batches(lengths, 3))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    order = np.concatenate(batches)
    assert sorted(order.tolist()) == list(range(7))
    assert [lengths[i] for i in order] == sorted(lengths, reverse=True)


def test_the_embedder_gives_each_text_its_own_row_in_the_order_given(tmp_path):
    write_tiny_export(tmp_path / "export")
    texts = ["drones hit kyiv again today", "rates", "  Rates rose  ", "kyiv", "hit drones", "", "today again rose"]
    embedder = OnnxEmbedder("tiny", 2, 1, lambda: tmp_path / "export")
    vectors = embedder.embed(texts)
    assert vectors.shape == (7, 6) and vectors.dtype == np.float32
    for text, vector in zip(texts, vectors, strict=True):
        # An empty text has no tokens: a zero row, as sentence-transformers' floors give.
        np.testing.assert_allclose(vector, expected(text) if text.split() else np.zeros(6), atol=1e-6)
    assert embedder.embed([]).shape == (0, 6)
    assert embedder.dimension == 6 and embedder.name == "tiny"


def fake_model(folder: Path) -> Path:
    """A model folder the cache key can be made from."""
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights")
    return folder


def counting_export(calls: list[Path]):
    """An export that writes the tiny model and remembers each call."""
    def export(model_dir: Path, target: Path, quantize: bool) -> None:
        calls.append(target)
        write_tiny_export(target)
    return export


def test_a_cached_export_is_reused(tmp_path, monkeypatch):
    calls: list[Path] = []
    monkeypatch.setattr(onnxexport, "export", counting_export(calls))
    model = fake_model(tmp_path / "model")
    first = cached_export(model, tmp_path / "cache")
    second = cached_export(model, tmp_path / "cache")
    assert first == second and len(calls) == 1
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.name]  # no partial folder left


@pytest.mark.parametrize("damage", ["no manifest", "bad manifest", "no model file"])
def test_a_broken_cached_export_is_made_again(tmp_path, monkeypatch, damage):
    calls: list[Path] = []
    monkeypatch.setattr(onnxexport, "export", counting_export(calls))
    model = fake_model(tmp_path / "model")
    folder = cached_export(model, tmp_path / "cache")
    {"no manifest": lambda: (folder / MANIFEST).unlink(), "bad manifest": lambda: (folder / MANIFEST).write_text("{"),
     "no model file": lambda: (folder / "model.onnx").unlink()}[damage]()
    assert cached_export(model, tmp_path / "cache") == folder and len(calls) == 2
    assert Manifest.read(folder) is not None


def test_an_export_another_process_finished_first_is_used(tmp_path, monkeypatch):
    model = fake_model(tmp_path / "model")
    final = onnxexport.export_folder(model, tmp_path / "cache", onnxexport.QUANTIZE)

    def racing(model_dir: Path, target: Path, quantize: bool) -> None:
        write_tiny_export(target)
        write_tiny_export(final)  # the other process renames its export into place meanwhile

    monkeypatch.setattr(onnxexport, "export", racing)
    assert cached_export(model, tmp_path / "cache") == final
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [final.name]


def test_an_export_that_fails_leaves_nothing_behind(tmp_path, monkeypatch):
    def crash(model_dir: Path, target: Path, quantize: bool) -> None:
        (target / "model.onnx").write_bytes(b"half a model")
        raise RuntimeError("killed mid-export")

    monkeypatch.setattr(onnxexport, "export", crash)
    with pytest.raises(RuntimeError):
        cached_export(fake_model(tmp_path / "model"), tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_half_made_exports_of_killed_processes_are_removed_but_not_recent_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(onnxexport, "export", counting_export([]))
    abandoned, running = tmp_path / "cache" / ".partial-old", tmp_path / "cache" / ".partial-now"
    for folder in (abandoned, running):
        folder.mkdir(parents=True)
    os.utime(abandoned, (0, 0))
    folder = cached_export(fake_model(tmp_path / "model"), tmp_path / "cache")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted([running.name, folder.name])


def test_the_cache_goes_where_configured_else_under_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root("") == tmp_path / "xdg" / "newsbot" / "onnx"
    assert cache_root(str(tmp_path / "mine")) == tmp_path / "mine"


def sentence_transformers_folder(folder: Path, modules: list[str], pooling: dict[str, bool]) -> Path:
    """A model folder with only the files that describe its module stack."""
    (folder / "1_Pooling").mkdir(parents=True)
    stack = [{"path": "1_Pooling" if kind == "Pooling" else "", "type": f"sentence_transformers.models.{kind}"}
             for kind in modules]
    (folder / "modules.json").write_text(json.dumps(stack))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (folder / "tokenizer.json").write_text("{}")
    return folder


@pytest.mark.parametrize("modules, pooling, problem", [
    (["Transformer", "Pooling", "Dense", "Normalize"], {"pooling_mode_mean_tokens": True}, "module stack"),
    (["Transformer", "Pooling"], {"pooling_mode_max_tokens": True}, "pooling max is not supported"),
    (["Transformer", "Pooling"], {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": True}, r"cls\+mean"),
])
def test_models_the_onnx_pipeline_cannot_reproduce_are_refused(tmp_path, modules, pooling, problem):
    folder = sentence_transformers_folder(tmp_path / "model", modules, pooling)
    with pytest.raises(UnsupportedModel, match=problem):
        onnxexport.export(folder, tmp_path / "out", quantize=False)


def test_the_backend_chooses_the_embedder():
    assert isinstance(load_embedder(DEFAULT_MODEL, 8, "cpu", None, backend="torch"), SentenceTransformerEmbedder)
    assert isinstance(load_embedder(DEFAULT_MODEL, 8, "cuda", None, backend="auto"), SentenceTransformerEmbedder)
    for backend in ("auto", "onnx"):
        embedder = load_embedder(DEFAULT_MODEL, 8, "cpu", None, backend=backend)
        assert isinstance(embedder, OnnxEmbedder) and embedder.name == DEFAULT_MODEL
    assert load_embedder("hashing", 8, "cpu", None, backend="onnx").name == "hashing-256"
    with pytest.raises(EmbedderError, match='embedding backend "gpu" is not one of auto, onnx, torch'):
        load_embedder(DEFAULT_MODEL, 8, "cpu", None, backend="gpu")


def test_onnx_backend_without_a_local_model_is_one_error_line(tmp_path):
    embedder = load_embedder(str(tmp_path / "absent"), 8, "cpu", None, backend="onnx", onnx_cache=str(tmp_path))
    with pytest.raises(EmbedderError) as error:
        embedder.embed(["a sentence"])
    message = str(error.value)
    assert "\n" not in message and message.startswith(f'cannot run embedding model "{tmp_path / "absent"}" with ONNX')
    assert message.endswith('set embedding.backend = "torch"')


def test_auto_backend_falls_back_to_torch_with_one_warning(tmp_path, caplog):
    embedder = load_embedder(str(tmp_path / "absent"), 8, "cpu", None, backend="auto", onnx_cache=str(tmp_path))
    with caplog.at_level(logging.WARNING), pytest.raises(EmbedderError, match="cannot load embedding model"):
        embedder.embed(["a sentence"])  # torch then fails too: there is no model at all
    with pytest.raises(EmbedderError, match="cannot load embedding model"):
        embedder.embed(["a sentence"])
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "runs with torch, not ONNX Runtime" in warnings[0]


def test_choosing_the_embedder_imports_no_torch():
    script = ("import sys; from index import load_embedder; load_embedder('all-MiniLM-L6-v2', 8, 'cpu', None); "
              f"print(sorted(set(sys.modules) & {set(HEAVY)!r}))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def real_sentences() -> list[str]:
    """BBC sentences from ../shared/data when it is there, else a few of our own; plus edge cases."""
    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc_news" / "summary_sentence_labels.jsonl"
    own = ["Russian drones attacked Kyiv overnight.", "The central bank raised interest rates by half a point."]
    if data.is_file():
        with open(data, encoding="utf-8") as lines:
            own = [s for line in list(lines)[:20] for s in json.loads(line)["sentences"]]
    # Past the model's 256 tokens (truncated alike), whitespace around a text, and a lone word.
    return [*own, " ".join(own)[:4000], "  padded with spaces  ", "Kyiv"]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export cache of this session's own: the export itself is under test."""
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache: Path) -> OnnxEmbedder:
    """The default model on ONNX Runtime, exported into the session's cache on first use."""
    embedder = load_embedder(DEFAULT_MODEL, 16, "cpu", None, backend="onnx", onnx_cache=str(onnx_cache))
    assert isinstance(embedder, OnnxEmbedder)
    return embedder


@pytest.mark.model
def test_onnx_and_torch_give_the_same_vectors(onnx_embedder: OnnxEmbedder,
                                               real_embedder: SentenceTransformerEmbedder) -> None:
    sentences = real_sentences()
    onnx_vectors, torch_vectors = onnx_embedder.embed(sentences), real_embedder.embed(sentences)
    assert onnx_vectors.shape == torch_vectors.shape and onnx_embedder.dimension == 384
    cosines = (onnx_vectors * torch_vectors).sum(axis=1)
    assert cosines.min() >= 0.99, (cosines.min(), sentences[int(cosines.argmin())])
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, rtol=1e-5)


@pytest.mark.model
def test_a_second_load_uses_the_cached_export(onnx_embedder: OnnxEmbedder, onnx_cache: Path, monkeypatch) -> None:
    onnx_embedder.embed(["made the export"])
    monkeypatch.setattr(onnxexport, "export", lambda *args: pytest.fail("exported again"))
    again = load_embedder(DEFAULT_MODEL, 16, "cpu", None, backend="onnx", onnx_cache=str(onnx_cache))
    np.testing.assert_allclose(again.embed(["Kyiv"]), onnx_embedder.embed(["Kyiv"]), atol=1e-6)


@pytest.mark.model
def test_concurrent_embeds_share_the_onnx_embedder_safely(onnx_embedder: OnnxEmbedder) -> None:
    # The bot embeds from worker threads: the shared tokenizer and session must give each caller its own rows.
    texts = [f"Sentence number {i} about the war in Ukraine." for i in range(40)]
    expected_rows = onnx_embedder.embed(texts)
    with ThreadPoolExecutor(4) as workers:
        results = list(workers.map(lambda _: onnx_embedder.embed(texts), range(4)))
    for result in results:
        np.testing.assert_allclose(result, expected_rows, atol=1e-5)


def test_long_texts_go_in_smaller_batches_so_memory_stays_bounded():
    lengths = [256] * 10 + [16] * 100
    batches = list(length_batches(lengths, 64, tokens=1024))
    assert [len(batch) for batch in batches] == [4, 4, 4, 64, 34]  # 1,024 tokens: four 256-token texts a batch
    assert all(len(batch) <= 64 for batch in batches)
    assert sorted(np.concatenate(batches).tolist()) == list(range(110))
    assert max(len(batch) * max(lengths[i] for i in batch) for batch in batches) <= 1024
