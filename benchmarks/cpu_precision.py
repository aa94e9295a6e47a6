"""bf16 against fp32 on this host's CPU: the figures behind `agora.hardware`'s precision rule.

Times, in bf16 and in fp32:

* the matrix product of SmolLM2's MLP (512 x 576 by 576 x 1536);
* SmolLM2-135M-Instruct's forward pass over a batch of prompts (4 x 128 tokens);
* one decoding step of a batch of 8 over a 128-token cache (what sampling a reply repeats per token).

All on one thread, each figure the fastest of ``--repeats`` calls: on a shared machine the fastest call is the
one least disturbed by other processes (and more threads than free cores make OpenMP's barriers wait on
descheduled threads, which says nothing about the instructions).

It prints a table with the CPU model, torch's CPU capability and the AMX / AVX-512 BF16 flags, the rule's
decision for this host, and appends the figures to ``benchmarks/results.jsonl`` (`_bench.record`).

    python benchmarks/cpu_precision.py [--repeats 10] [--no-model]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from _bench import load_average, record

from agora.hardware import choose_precision, cpu_features


def fastest_ms(fn: Callable[[], Any], repeats: int) -> float:
    """The fewest wall milliseconds of `fn()` over `repeats` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples) * 1000


def matmul_ms(torch: Any, dtype: Any, repeats: int) -> float:
    """One 512 x 576 by 576 x 1536 product (SmolLM2's MLP up-projection over 512 tokens)."""
    a, b = torch.randn(512, 576, dtype=dtype), torch.randn(576, 1536, dtype=dtype)
    return fastest_ms(lambda: a @ b, repeats)


def model_ms(torch: Any, dtype: Any, repeats: int, batch: int = 4, length: int = 128) -> tuple[float, float]:
    """SmolLM2's forward pass over `batch` x `length` tokens, and one decoding step of 8 prompts over `length`."""
    import transformers

    from agora.agents.local_models import smollm2

    model = transformers.AutoModelForCausalLM.from_pretrained(smollm2(), dtype=dtype).eval()
    ids = torch.randint(0, model.config.vocab_size, (batch, length))
    with torch.no_grad():
        forward = fastest_ms(lambda: model(input_ids=ids, logits_to_keep=1), repeats)
        prompts = torch.randint(0, model.config.vocab_size, (8, length))
        cache = model(input_ids=prompts, use_cache=True, logits_to_keep=1).past_key_values
        step = prompts[:, -1:]

        def decode() -> None:
            model(input_ids=step, past_key_values=cache, use_cache=True)
            cache.crop(-1)  # the next call decodes the same position again

        decode_ms = fastest_ms(decode, repeats)
    return forward, decode_ms


def main() -> None:
    """Measures, prints the table and records it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-model", action="store_true", help="only the matrix product (no SmolLM2)")
    args = parser.parse_args()
    import torch

    features = cpu_features()
    torch.set_num_threads(1)
    load_before, rows = load_average(), []
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        row = {"dtype": name, "matmul_ms": matmul_ms(torch, dtype, args.repeats)}
        if not args.no_model:
            row["smollm2_forward_4x128_ms"], row["smollm2_decode_step_8_ms"] = model_ms(torch, dtype, args.repeats)
        rows.append(row)
    print(f"CPU: {features.model}; torch capability {features.capability}; flags {' '.join(sorted(features.flags))}")
    print(f"load average before {load_before}, after {load_average()}; torch {torch.__version__}; one thread")
    keys = [k for k in rows[0] if k != "dtype"]
    print(f"{'':<6}" + "".join(f"{k:>28}" for k in keys))
    for row in rows:
        print(f"{row['dtype']:<6}" + "".join(f"{row[k]:>28.1f}" for k in keys))
    ratio = {k: rows[1][k] / rows[0][k] for k in keys}
    print(f"{'bf16/fp32':<6}" + "".join(f"{ratio[k]:>28.2f}" for k in keys))
    print(f"rule: precision auto -> {choose_precision('auto', 'cpu', features)} on this CPU")
    record(
        "cpu_precision",
        rows,
        settings={
            "repeats": args.repeats,
            "threads": 1,
            "capability": features.capability,
            "auto_precision": choose_precision("auto", "cpu", features),
            "torch": torch.__version__,
        },
    )


if __name__ == "__main__":
    main()
