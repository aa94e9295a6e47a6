"""The precision and thread rules of `agora.hardware` on given CPUs, and the cpuinfo and cgroup readers."""

import pytest

from agora.hardware import (
    PRECISION_ENV,
    WATCHED_FLAGS,
    CpuFeatures,
    _cpuinfo,
    agent_dtype,
    choose_precision,
    choose_threads,
    cpu_features,
    fast_bf16,
    usable_cpus,
)

AMX = CpuFeatures("Xeon 8480", frozenset({"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile"}), "AVX512", 8)
AVX512_BF16 = CpuFeatures("Xeon (no AMX exposed)", frozenset({"avx2", "avx512f", "avx512_bf16"}), "AVX512", 2)
AVX2 = CpuFeatures("AMD EPYC", frozenset({"avx2"}), "AVX2", 2)


@pytest.fixture(autouse=True)
def _machine_decides(monkeypatch):
    monkeypatch.delenv(PRECISION_ENV, raising=False)  # the suite pins auto to fp32 (conftest); not here


@pytest.mark.parametrize(
    ("cpu", "auto"),
    [(AMX, "bf16"), (AVX512_BF16, "fp32"), (AVX2, "fp32")],
    ids=["amx", "avx512_bf16", "avx2_only"],
)
def test_auto_precision_follows_the_cpu_and_an_explicit_one_wins(cpu, auto):
    assert choose_precision("auto", "cpu", cpu) == auto
    assert fast_bf16(cpu) is (auto == "bf16")
    for forced in ("fp32", "bf16"):  # the config's override, whatever the CPU
        assert choose_precision(forced, "cpu", cpu) == forced
    assert choose_precision("auto", "cuda:0", AVX2) == "bf16"


def test_an_unknown_precision_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="'auto', 'fp32', 'bf16'"):
        choose_precision("fp16", "cpu", AVX2)


def test_the_environment_override_decides_what_is_left_to_auto(monkeypatch):
    monkeypatch.setenv(PRECISION_ENV, "fp32")
    assert choose_precision("auto", "cpu", AMX) == "fp32" and choose_precision("bf16", "cpu", AMX) == "bf16"
    assert agent_dtype("auto", None, "cpu") == "float32"
    monkeypatch.setenv(PRECISION_ENV, "bf16")
    assert choose_precision("auto", "cpu", AVX2) == "bf16"
    monkeypatch.setenv(PRECISION_ENV, "half")
    with pytest.raises(ValueError, match=PRECISION_ENV):
        choose_precision("auto", "cpu", AVX2)


def test_agent_dtype_keeps_explicit_ones_and_upcasts_half_checkpoints_only_on_slow_cpus(monkeypatch):
    import agora.hardware as hardware

    assert agent_dtype("float32", "bfloat16", "cpu") == "float32"
    assert agent_dtype(None, "float32", "cpu") is None
    assert agent_dtype(None, "bfloat16", "cuda") is None
    monkeypatch.setattr(hardware, "cpu_features", lambda: AVX2)
    assert agent_dtype(None, "bfloat16", "cpu") == "float32"
    assert agent_dtype("auto", None, "cpu") == "float32"
    monkeypatch.setattr(hardware, "cpu_features", lambda: AMX)
    assert agent_dtype(None, "bfloat16", "cpu") is None
    assert agent_dtype("auto", None, "cpu") == "bfloat16"


def test_threads_take_the_request_else_the_usable_cpus(tmp_path):
    assert choose_threads(3, AVX2) == 3 and choose_threads(0, AMX) == 8
    quota = tmp_path / "cpu.max"
    quota.write_text("150000 100000\n")  # 1.5 CPUs of quota: 2 threads at most
    assert usable_cpus(quota) == min(2, usable_cpus(tmp_path / "absent"))
    quota.write_text("max 100000\n")
    assert usable_cpus(quota) == usable_cpus(tmp_path / "absent") >= 1


def test_cpuinfo_reads_the_model_and_the_watched_flags(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse avx2 fma\n\n"
        "processor\t: 1\nmodel name\t: other\nflags\t\t: avx512_bf16\n"
    )
    assert _cpuinfo(info) == ("AMD EPYC 7B13", frozenset({"avx2"}))
    assert _cpuinfo(tmp_path / "absent") == ("unknown", frozenset())
    here = cpu_features()
    assert here.cpus >= 1 and here.capability and here.flags <= set(WATCHED_FLAGS)


def test_an_hf_checkpoint_stored_in_bf16_loads_in_fp32_on_a_cpu_without_fast_bf16(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    import agora.hardware as hardware
    from agora.agents.hf import load_causal_lm
    from agora.agents.local_models import tiny_model

    model, _ = tiny_model(hidden_size=16, num_layers=1, num_heads=1)
    model.to(torch.bfloat16).save_pretrained(tmp_path)
    monkeypatch.setattr(hardware, "cpu_features", lambda: AVX2)
    assert load_causal_lm(tmp_path, None, "cpu").dtype == torch.float32
    assert load_causal_lm(tmp_path, "bfloat16", "cpu").dtype == torch.bfloat16  # an explicit dtype= wins
    monkeypatch.setattr(hardware, "cpu_features", lambda: AMX)
    assert load_causal_lm(tmp_path, None, "cpu").dtype == torch.bfloat16
    assert load_causal_lm(tmp_path, "auto", "cpu").dtype == torch.bfloat16
