"""The GPU-ready path, checked on CPU: devices, precision, token-budget micro-batches, LoRA references and
snapshots as adapters (no model copies), snapshot eviction, and the GPU benchmark's CPU-side logic."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from agora.trainers.batch import Sequence, loss_weights, micro_batches, split_by_budget
from agora.trainers.policy import build_model, reference_model, resolve_device, resolve_precision, trainable_state

ROOT = Path(__file__).resolve().parents[2]
TINY = {"hidden_size": 32, "num_layers": 1, "num_heads": 1}


def test_device_and_precision_resolution():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cuda:1") == "cuda:1"
    assert resolve_precision("auto", "cpu") == "fp32"  # the suite pins auto to fp32; the rule: test_hardware.py
    assert resolve_precision("bf16", "cpu") == "bf16" and resolve_precision("fp32", "cpu") == "fp32"


def test_split_by_token_budget_by_hand():
    assert split_by_budget([4, 4, 4, 9, 2], max_sequences=8, max_tokens=12) == [range(0, 3), range(3, 4), range(4, 5)]
    assert split_by_budget([3, 3, 3], max_sequences=2) == [range(0, 2), range(2, 3)]
    assert split_by_budget([20, 1], max_sequences=8, max_tokens=10) == [range(0, 1), range(1, 2)]  # alone


def _seq(n_prompt, n_completion):
    ids = list(range(1, n_prompt + n_completion + 1))
    return Sequence(ids, [0] * n_prompt + [1] * n_completion, [0.0] * len(ids), [1.0] * len(ids))


def test_micro_batches_keep_whole_batch_weights_under_a_token_budget():
    seqs = [_seq(3, 2), _seq(6, 4), _seq(2, 1), _seq(2, 2)]
    batches = micro_batches(seqs, "token-mean", 8, max_tokens=12, device="cpu")
    assert [b["input_ids"].shape for b in batches] == [torch.Size([1, 5]), torch.Size([1, 10]), torch.Size([2, 4])]
    assert sum(float(b["weights"].sum()) for b in batches) == pytest.approx(1.0)
    assert sum(w for ws in loss_weights(seqs, "token-mean") for w in ws) == pytest.approx(1.0)


def test_lora_reference_is_the_base_model_with_the_adapter_off():
    base, _ = build_model("tiny", TINY)
    original = copy.deepcopy(base)
    model, _ = build_model("tiny", TINY, lora_rank=4)
    with torch.no_grad():  # a trained adapter: every lora_B non-zero
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad(), reference_model(model, None) as ref:
        off = ref(input_ids=ids).logits
    on = model(input_ids=ids).logits
    torch.testing.assert_close(off, original(input_ids=ids).logits)
    assert not torch.allclose(on, off)


def test_bf16_autocast_keeps_fp32_master_weights():
    from agora.trainers.config import TrainConfig
    from agora.trainers.update import ppo_update

    model, _ = build_model("tiny", TINY, precision="bf16", gradient_checkpointing=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    cfg = TrainConfig(env_id="x/Y-v0", precision="bf16", micro_batch_tokens=12)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    stats = ppo_update(model, optimizer, [_seq(3, 2), _seq(6, 4)], cfg, pad_id=0)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert any(not torch.equal(before[n], p) for n, p in model.named_parameters()) and stats["grad_norm"] > 0


def test_lora_snapshots_are_adapters_served_in_one_engine_and_evicted(tmp_path):
    from agora.agents.chat import SamplingParams
    from agora.trainers.config import TrainConfig
    from agora.trainers.loop import Trainer
    from agora.trainers.policy import load_trainable_state

    cfg = TrainConfig(
        env_id="games/Nim-v0",
        mode="selfplay",
        env_kwargs={"piles": [1, 2]},
        estimator="rae",
        model_kwargs=TINY,
        lora_rank=4,
        kl_coef=0.1,
        pool_size=1,
        system_prompt="",
        out_dir=str(tmp_path),
        torch_threads=1,
    )
    trainer = Trainer(cfg)
    model = trainer.model
    trainer.pool.add_snapshot(1, model)
    step, payload = trainer.pool.snapshots[0]
    assert isinstance(payload, dict) and all(t.device.type == "cpu" for t in payload.values())
    trainer._snapshot_agent(1, payload)  # loads the adapter into the policy model, once
    assert "snapshot_1" in model.peft_config and not any(
        p.requires_grad for n, p in model.named_parameters() if ".snapshot_1." in n
    )
    with torch.no_grad():  # the policy moves on; the snapshot must not
        for name, p in model.named_parameters():
            if "lora_B" in name and ".default." in name:
                p.normal_(0, 0.5)
    prompt = [5, 6, 7]
    [done] = trainer.engine.generate(
        [prompt], SamplingParams(temperature=1.0, max_new_tokens=4), adapters=["snapshot_1"]
    )
    current = {k: v.clone() for k, v in trainable_state(model).items()}
    load_trainable_state(model, payload)
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=torch.tensor([prompt + done.token_ids])).logits[0], -1)
    expected = [logp[len(prompt) - 1 + i, t].item() for i, t in enumerate(done.token_ids)]
    assert done.logprobs == pytest.approx(expected, abs=1e-4)
    load_trainable_state(model, current)
    trainer.pool.add_snapshot(2, model)  # pool_size 1: snapshot 1 leaves, its adapter goes
    assert "snapshot_1" not in model.peft_config and [s for s, _ in trainer.pool.snapshots] == [2]
    assert trainer.reference is None  # LoRA: no reference copy, the adapter is toggled off


def test_gpu_benchmark_config_and_no_gpu_exit():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import gpu

    for mode in ("lora", "full"):
        cfg = gpu.bench_config(mode, "out")
        assert cfg.backend == "vllm" and cfg.model == "smollm2" and cfg.device == "cuda"
        assert (cfg.lora_rank > 0) == (mode == "lora")
    with pytest.raises(ValueError):
        gpu.bench_config("half", "out")
    rows = gpu.curve_rows([{"step": 0, "eval/return_mean": -1.0}, {"step": 1, "env/return_mean": 0.25}])
    assert rows[0][0] == "0" and rows[0][3] == "-1.000" and rows[1][1] == "0.250"
    if not torch.cuda.is_available():
        proc = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "gpu.py")], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0 and "no CUDA device" in proc.stdout


def test_new_config_fields_validate():
    from agora.trainers.config import ConfigError, TrainConfig

    with pytest.raises(ConfigError, match="device must be"):
        TrainConfig(env_id="x/Y-v0", device="tpu")
    with pytest.raises(ConfigError, match="precision must be one of"):
        TrainConfig(env_id="x/Y-v0", precision="fp16")
    with pytest.raises(ConfigError, match="needs backend = 'vllm'"):
        TrainConfig(env_id="x/Y-v0", vllm_sleep=True)
    with pytest.raises(ConfigError, match="gpu_memory_utilization"):
        TrainConfig(env_id="x/Y-v0", gpu_memory_utilization=1.5)
    assert TrainConfig(env_id="x/Y-v0", backend="vllm", lora_rank=8).lora_rank == 8  # LoRA on vLLM is allowed
    assert TrainConfig(env_id="x/Y-v0", estimator="gae").estimator == "gae"
