"""Export a trained pair reader (a Hugging Face one-logit classifier) to the ONNX folder newsbot ships."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

from index.answers.reader import MANIFEST, MODEL_FILE, TOKENIZER_FILE, ReaderManifest

_OPSET = 17


def export_reader(trained: Path, out: Path, max_tokens: int, quantize: bool = True) -> Path:
    """Write reader.onnx (int8 weights unless told not), tokenizer.json and the manifest into `out`."""
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(trained).eval()
    inputs = ("input_ids", "attention_mask", "token_type_ids")
    sample = tuple(torch.ones((2, 8), dtype=torch.long) for _ in inputs)
    axes = {name: {0: "batch", 1: "tokens"} for name in inputs} | {"logits": {0: "batch"}}

    class Logits(torch.nn.Module):
        """The classifier with its inputs by position and only the logits out."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(inputs, args, strict=True))).logits

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "reader.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Logits(), sample, str(plain), input_names=list(inputs), output_names=["logits"],
                              dynamic_axes=axes, opset_version=_OPSET, dynamo=False)
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # Int8 weights for the matrix products and the word embeddings (most of the size).
            quantize_dynamic(str(plain), str(out / MODEL_FILE), op_types_to_quantize=["MatMul", "Gather"],
                             weight_type=QuantType.QInt8)
        else:
            shutil.copyfile(plain, out / MODEL_FILE)
    shutil.copyfile(trained / TOKENIZER_FILE, out / TOKENIZER_FILE)
    pad_id = int(model.config.pad_token_id or 0)
    ReaderManifest(model_file=MODEL_FILE, max_tokens=max_tokens, inputs=inputs, pad_id=pad_id).dump(out / MANIFEST)
    return out

