"""Peak memory and time of per-token logprob + entropy of a linear head: naive vs chunked vs Triton vs Liger.

One forward and backward of ``sum(g_l * logprobs + g_e * entropy)`` with respect to the hidden
states and the head's weight, at SmolLM2-135M's head by default (N=8192 tokens, V=49,152, H=576).

Rows, each in a fresh subprocess so one row's memory cannot hide another's:
  naive    full [N, V] fp32 logits and log-softmax (what `trainers/loss.py` did before)
  chunked  `agora.kernels.chunked_token_logprobs_and_entropy` (the CPU path)
  triton   the fused Triton kernel (CUDA only)
  liger    Liger-Kernel's fused linear cross-entropy (CUDA only, `pip install liger-kernel==0.8.5`; it
           computes the summed cross-entropy, i.e. -sum logprobs, and no entropy)

With ``--model smollm2`` it adds the trainer's loss end to end: `agora.trainers.loss.token_logprobs`
(fused, and ``fused=False`` for the old full-vocabulary path) forward and backward on
SmolLM2-135M-Instruct with LoRA r16 (fp32, CPU) at micro-batch 4 of ``--seq-len`` tokens, of
which the last ``--completion`` per sequence are completion tokens.

Peak memory on CPU is the process's RSS high-water mark (``ru_maxrss``, which sees every
allocator, torch's included) minus the RSS once the inputs exist: the extra memory the computation
needed. On CUDA it is ``torch.cuda.max_memory_allocated`` minus the inputs' allocation. Time is the
wall time of forward + backward after one warm-up call (CPU: one timed call; CUDA: mean of 5).

    python benchmarks/kernel_logprobs.py [--n 8192] [--vocab 49152] [--hidden 576] [--dtype float32] [--threads 2]
    python benchmarks/kernel_logprobs.py --model smollm2 [--seq-len 512] [--completion 64]   # + the loss rows
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import _bench
from rich.console import Console
from rich.table import Table

CPU_ROWS = ("naive", "chunked")
GPU_ROWS = ("naive", "chunked", "triton", "liger")


def _function(name: str):
    import torch

    from agora import kernels

    if name == "naive":
        return kernels.naive_token_logprobs_and_entropy
    if name == "chunked":
        return kernels.chunked_token_logprobs_and_entropy
    if name == "triton":
        from agora.kernels.triton_logprobs import triton_token_logprobs_and_entropy

        return triton_token_logprobs_and_entropy
    from liger_kernel.transformers import LigerFusedLinearCrossEntropyLoss

    liger = LigerFusedLinearCrossEntropyLoss(reduction="sum")
    return lambda h, w, y: (-liger(w, h, y).reshape(1), torch.zeros(1, device=h.device))


def _step(fn, hidden, weight, targets, g_l, g_e) -> None:
    import torch

    logp, entropy = fn(hidden, weight, targets)
    loss = (logp * g_l[: logp.shape[0]]).sum() + (entropy * g_e[: entropy.shape[0]]).sum()
    torch.autograd.grad(loss, (hidden, weight))


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def measure_loss(row: str, seq_len: int, completion: int) -> dict[str, float]:
    """`token_logprobs` + backward on SmolLM2-135M with LoRA r16, micro-batch 4 (fused or full path)."""
    import peft
    import torch
    import transformers

    from agora.agents.local_models import smollm2
    from agora.trainers.loss import token_logprobs

    model = transformers.AutoModelForCausalLM.from_pretrained(smollm2(), dtype=torch.float32)
    model = peft.get_peft_model(
        model,
        peft.LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM"),
    )
    model.train()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (4, seq_len), generator=g)
    mask = torch.zeros(4, seq_len - 1)
    mask[:, -completion:] = 1.0
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "targets": ids[:, 1:], "loss_mask": mask}
    base = _rss_mb()
    start = time.perf_counter()
    logp, entropy = token_logprobs(model, batch, with_entropy=True, fused=row == "loss fused")
    (-(logp * mask).sum() / mask.sum() - 0.01 * (entropy * mask).sum() / mask.sum()).backward()
    elapsed = time.perf_counter() - start
    return {"peak_mb": _peak_mb() - base, "total_mb": _peak_mb(), "ms": elapsed * 1000}


def measure(row: str, device: str, n: int, vocab: int, hidden_size: int, dtype: str) -> dict[str, float]:
    """Runs one row in this process and returns its extra peak memory (MB) and time (ms)."""
    import torch

    fn = _function(row)
    g = torch.Generator().manual_seed(0)
    hidden = torch.randn(n, hidden_size, generator=g).to(device, getattr(torch, dtype)).requires_grad_()
    weight = (torch.randn(vocab, hidden_size, generator=g) * 0.05).to(device, getattr(torch, dtype)).requires_grad_()
    targets = torch.randint(0, vocab, (n,), generator=g).to(device)
    g_l, g_e = torch.randn(n, generator=g).to(device), torch.randn(n, generator=g).to(device)
    if device == "cuda":
        return _measure_cuda(fn, hidden, weight, targets, g_l, g_e)
    base = _rss_mb()
    start = time.perf_counter()
    _step(fn, hidden, weight, targets, g_l, g_e)
    elapsed = time.perf_counter() - start
    return {"peak_mb": _peak_mb() - base, "total_mb": _peak_mb(), "ms": elapsed * 1000}


def _measure_cuda(fn, hidden, weight, targets, g_l, g_e) -> dict[str, float]:
    import torch

    _step(fn, hidden, weight, targets, g_l, g_e)  # compile / autotune
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    start = time.perf_counter()
    for _ in range(5):
        _step(fn, hidden, weight, targets, g_l, g_e)
    torch.cuda.synchronize()
    elapsed = (time.perf_counter() - start) / 5
    peak = torch.cuda.max_memory_allocated() / 2**20
    return {"peak_mb": peak - base / 2**20, "total_mb": peak, "ms": elapsed * 1000}


def _run_row(row: str, device: str, args: argparse.Namespace) -> dict[str, float] | str:
    cmd = [
        sys.executable,
        __file__,
        "--row",
        row,
        "--device",
        device,
        "--n",
        str(args.n),
        "--vocab",
        str(args.vocab),
        "--hidden",
        str(args.hidden),
        "--dtype",
        args.dtype,
        "--threads",
        str(args.threads),
        "--seq-len",
        str(args.seq_len),
        "--completion",
        str(args.completion),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        return (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:80]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=8192)
    parser.add_argument("--vocab", type=int, default=49_152)
    parser.add_argument("--hidden", type=int, default=576)
    parser.add_argument("--dtype", default=None, help="default: float32 on CPU, bfloat16 on CUDA")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", choices=["smollm2"], help="add the trainer-loss rows on this model")
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--completion", type=int, default=64)
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--device", help=argparse.SUPPRESS)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    if args.row and args.row.startswith("loss"):
        print(json.dumps(measure_loss(args.row, args.seq_len, args.completion)))
        return
    if args.row:
        print(json.dumps(measure(args.row, args.device, args.n, args.vocab, args.hidden, args.dtype)))
        return
    _report(args, torch.cuda.is_available())


def _report(args: argparse.Namespace, has_cuda: bool) -> None:
    console = Console()
    table = Table(
        title=f"logprob + entropy, forward + backward: N={args.n}, V={args.vocab}, H={args.hidden} "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    for col in ("device", "path", "dtype", "extra peak MB", "vs naive", "process peak MB", "time ms"):
        table.add_column(col, justify="right" if col not in ("device", "path") else "left")
    plans = [("cpu", row, args.dtype or "float32") for row in CPU_ROWS]
    if has_cuda:
        plans += [("cuda", row, args.dtype or "bfloat16") for row in GPU_ROWS]
    if args.model:
        plans += [("cpu", "loss full", "float32"), ("cpu", "loss fused", "float32")]
    naive: dict[str, float] = {}
    recorded = []
    for device, row, dtype in plans:
        result = _run_row(row, device, argparse.Namespace(**{**vars(args), "dtype": dtype}))
        recorded.append(
            {
                "device": device,
                "path": row,
                "dtype": dtype,
                **({"error": result} if isinstance(result, str) else result),
            }
        )
        if isinstance(result, str):
            table.add_row(device, row, dtype, "failed", "", "", result)
            continue
        ref = naive.setdefault(f"{device} {'loss' if row.startswith('loss') else 'kernel'}", result["peak_mb"])
        table.add_row(
            device,
            row,
            dtype,
            f"{result['peak_mb']:.0f}",
            f"{result['peak_mb'] / ref:.2f}",
            f"{result['total_mb']:.0f}",
            f"{result['ms']:.0f}",
        )
    console.print(table)
    _bench.record("kernel_logprobs", recorded, settings={k: v for k, v in vars(args).items() if v is not None})
    if args.model:
        console.print(
            f"loss rows: SmolLM2-135M + LoRA r16, micro-batch 4 x {args.seq_len} tokens, "
            f"{args.completion} completion tokens each; 'vs naive' compares with 'loss full'."
        )
    if not has_cuda:
        console.print("No CUDA GPU here: the triton and liger rows run only on a machine with one.")


if __name__ == "__main__":
    main()
