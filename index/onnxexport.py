"""A sentence-transformers model folder exported to ONNX once, into a cache folder that appears whole or not at all.

Only the export imports torch and transformers; finding a finished export reads a small JSON file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from index.onnxencoder import POOLING_MODES, TOKENIZER_FILE, Manifest

# Bumped when the export's layout or contents change, so older cached exports are made again.
EXPORT_FORMAT = 1
# Off: dynamic int8 quantization moved BBC sentences' vectors to a mean cosine of 0.96 with torch's, below the
# 0.99 a library embedded with torch needs to stay searchable (benchmarks/encoders.md).
QUANTIZE = False
_OPSET = 17
# An export takes seconds; a ".partial-" folder older than this was left by a process that was killed mid-export.
_ABANDONED_SECONDS = 3600
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


class UnsupportedModel(ValueError):
    """The model folder's module stack is not one the ONNX pipeline reproduces exactly."""


def cache_root(configured: str) -> Path:
    """Where exports are cached: the configured folder, else $XDG_CACHE_HOME/newsbot/onnx (~/.cache/newsbot/onnx)."""
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsbot" / "onnx"


def export_folder(model_dir: Path, root: Path, quantize: bool) -> Path:
    """The cache folder of one model folder's export: its name, then a hash of its path, weights and the options."""
    model_dir = model_dir.resolve()
    weights = sorted(p for p in model_dir.iterdir() if p.suffix in {".safetensors", ".bin"})
    # The weights' sizes and times: a model replaced in place gets a new export instead of the old one's vectors.
    stamp = [str(model_dir), EXPORT_FORMAT, quantize, *[(p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                                        for p in weights]]
    digest = hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:16]
    return root / f"{_SLUG.sub('-', model_dir.name)[:60]}-{digest}"


def cached_export(model_dir: Path, root: Path, quantize: bool = QUANTIZE) -> Path:
    """The folder of a complete export of the model, exporting it first if there is none (or only a broken one)."""
    if not model_dir.is_dir():
        raise UnsupportedModel(f"{model_dir} is not a local model folder (ONNX export needs one)")
    folder = export_folder(model_dir, root, quantize)
    if Manifest.read(folder) is not None:
        return folder
    root.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(root)
    # Built beside its final place, then renamed: a crash mid-export leaves only a ".partial-" folder, never a
    # folder that looks finished.
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
    try:
        export(model_dir, partial, quantize)
        if folder.exists() and Manifest.read(folder) is None:  # a broken earlier export: replaced
            shutil.rmtree(folder)
        try:
            os.rename(partial, folder)
        except OSError:
            if Manifest.read(folder) is None:  # not another process's complete export, which would do as well
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def _remove_abandoned(root: Path) -> None:
    """Delete the half-made exports of processes killed mid-export (never a running export's folder)."""
    now = time.time()
    for folder in root.glob(".partial-*"):
        with contextlib.suppress(OSError):  # another process may be removing it too
            if now - folder.stat().st_mtime > _ABANDONED_SECONDS:
                shutil.rmtree(folder)


def export(model_dir: Path, target: Path, quantize: bool) -> Manifest:
    """Export the model's transformer into `target` with its tokenizer and a manifest of the rest of the pipeline."""
    transformer_dir, pooling = _module_stack(model_dir)
    settings = _read_json(transformer_dir / "sentence_bert_config.json", required=False)
    if not (transformer_dir / TOKENIZER_FILE).is_file():
        raise UnsupportedModel(f"{transformer_dir} has no {TOKENIZER_FILE} (a fast tokenizer is needed)")
    inputs, dimension = _export_transformer(transformer_dir, target / "model.onnx")
    model_file = "model.onnx"
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(target / "model.onnx", target / "model.int8.onnx", weight_type=QuantType.QInt8)
        (target / "model.onnx").unlink()  # only the model used is kept: the fp32 one is four times bigger
        model_file = "model.int8.onnx"
    shutil.copyfile(transformer_dir / TOKENIZER_FILE, target / TOKENIZER_FILE)
    manifest = Manifest(model_file=model_file, pooling=pooling,
                        max_seq_length=_max_seq_length(transformer_dir, settings),
                        do_lower_case=bool(settings.get("do_lower_case", False)), dimension=dimension,
                        pad_id=_pad_id(transformer_dir), inputs=inputs)
    manifest.dump(target)  # last: its presence says the folder is complete
    return manifest


def _read_json(path: Path, required: bool = True) -> dict[str, Any]:
    """A JSON object from the model folder; {} for a missing optional file."""
    if not path.is_file() and not required:
        return {}
    value = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(value, dict | list):
        raise UnsupportedModel(f"{path} is not a JSON object")
    return value if isinstance(value, dict) else {"modules": value}


def _module_stack(model_dir: Path) -> tuple[Path, str]:
    """The transformer's folder and the pooling mode, from modules.json.

    Only Transformer -> Pooling (mean or cls) -> optional Normalize is reproduced (the embedder always normalises,
    as SentenceTransformerEmbedder asks encode() to); anything else, such as Dense layers, is refused, and "auto"
    then keeps torch.
    """
    if not (model_dir / "modules.json").is_file():
        raise UnsupportedModel(f"{model_dir} has no modules.json (not a sentence-transformers model folder)")
    modules = _read_json(model_dir / "modules.json")["modules"]
    kinds = [str(module.get("type", "")).rsplit(".", 1)[-1] for module in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise UnsupportedModel(f"module stack {' -> '.join(kinds)} is not Transformer -> Pooling [-> Normalize]")
    pooling = _pooling_mode(_read_json(model_dir / modules[1].get("path", "") / "config.json"))
    return model_dir / modules[0].get("path", ""), pooling


def _pooling_mode(config: dict[str, Any]) -> str:
    """The one pooling mode a Pooling config turns on, if it is mean or cls."""
    named = config.get("pooling_mode")
    if isinstance(named, str):
        modes = {named.removesuffix("_tokens").removesuffix("_token")}
    else:
        modes = {key.removeprefix("pooling_mode_").removesuffix("_tokens").removesuffix("_token")
                 for key, value in config.items() if key.startswith("pooling_mode_") and value is True}
    if len(modes) != 1 or not modes <= set(POOLING_MODES):
        raise UnsupportedModel(f"pooling {'+'.join(sorted(modes)) or 'none'} is not supported "
                               f"(only {' or '.join(POOLING_MODES)})")
    return modes.pop()


def _max_seq_length(transformer_dir: Path, settings: dict[str, Any]) -> int:
    """Tokens kept per text: sentence_bert_config.json's max_seq_length, else the model's own limits."""
    if isinstance(settings.get("max_seq_length"), int):
        return int(settings["max_seq_length"])
    limits = [_read_json(transformer_dir / "config.json").get("max_position_embeddings"),
              _read_json(transformer_dir / "tokenizer_config.json", required=False).get("model_max_length")]
    # model_max_length is a huge sentinel for tokenizers that have no limit of their own.
    return min(limit for limit in limits if isinstance(limit, int) and limit < 1_000_000)


def _pad_id(transformer_dir: Path) -> int:
    """The padding token's id: the tokenizer's padding setting, else its pad_token, else 0."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(transformer_dir / TOKENIZER_FILE))
    if tokenizer.padding is not None:
        return int(tokenizer.padding["pad_id"])
    token = _read_json(transformer_dir / "tokenizer_config.json", required=False).get("pad_token")
    token = token.get("content") if isinstance(token, dict) else token
    found = tokenizer.token_to_id(token) if isinstance(token, str) else None
    return found if found is not None else 0


def _export_transformer(transformer_dir: Path, path: Path) -> tuple[tuple[str, ...], int]:
    """Export the Hugging Face model to ONNX (last_hidden_state out); its input names and hidden size."""
    import inspect
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a library must not draw on the user's terminal
    model = AutoModel.from_pretrained(str(transformer_dir)).eval()
    # BERT-like models take token_type_ids, others (MPNet, DistilBERT) do not: feed exactly what forward() takes.
    accepted = inspect.signature(model.forward).parameters
    inputs = tuple(name for name in ("input_ids", "attention_mask", "token_type_ids") if name in accepted)
    sample = {name: torch.ones((2, 8), dtype=torch.long) for name in inputs}
    axes = {name: {0: "batch", 1: "tokens"} for name in (*inputs, "last_hidden_state")}

    class HiddenStates(torch.nn.Module):
        """The model with its inputs by position and only the token vectors out."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model  # a submodule, so its weights are exported as weights, not traced as constants

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(inputs, args, strict=True))).last_hidden_state

    # The tracer warns about Python branches on shapes; the export is checked against torch's vectors by the tests
    # at other batch sizes and lengths instead.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(HiddenStates(), tuple(sample.values()), str(path), input_names=list(inputs),
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=_OPSET, dynamo=False)
    return inputs, int(model.config.hidden_size)

