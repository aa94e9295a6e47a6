"""`agora demo`: without torch it says why in one line; its settings file; progress lines in a log; the trained
adapter is an agent spec; labels."""

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agora.cli import app
from agora.cli.demo import DEMO_CONFIG, Phases, demo_config, progress_lines, relabel

ROOT = Path(__file__).resolve().parents[1]


def test_demo_without_torch_exits_with_the_reason_in_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` fails, as on a machine without it
    result = CliRunner().invoke(app, ["demo", "--out", "unused"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "torch" in lines[0] and "--quick" in lines[0], result.output


def test_the_demo_settings_are_examples_demo_toml_with_the_model_and_overrides(tmp_path):
    assert DEMO_CONFIG.read_text() == (ROOT / "examples" / "demo.toml").read_text()  # the package's copy is a link
    cfg = demo_config("/models/smollm2", tmp_path / "train", seed=3)
    assert (cfg.env_id, cfg.model, cfg.out_dir, cfg.seed) == (
        "games/TicTacToe-v0",
        "/models/smollm2",
        str(tmp_path / "train"),
        3,
    )
    assert (cfg.lora_rank, cfg.steps, cfg.batch_episodes, cfg.precision, cfg.torch_threads) == (16, 5, 8, "auto", 0)
    assert demo_config("m", tmp_path, precision="fp32", steps=2).precision == "fp32"
    other = tmp_path / "mine.toml"
    other.write_text('env_id = "games/Nim-v0"\nsteps = 3\n')
    assert demo_config("m", tmp_path, other).steps == 3


def test_progress_lines_report_each_update_and_each_evaluation():
    before = {"eval/valid_rate": 0.125, "eval/return_mean": -1.0, "eval/win_rate": 0.0, "time/eval_s": 21.4}
    update = {"env/valid_rate": 0.5, "env/return_mean": -0.25, "time/rollout_s": 30.2, "time/update_s": 12.0}
    assert progress_lines(0, 8, before) == [
        "  held-out evaluation before training: legal moves 0.12  return -1.00  win rate 0.00  (21 s)"
    ]
    assert progress_lines(3, 8, update) == [
        "  update 3/8: legal moves 0.50  return -0.25  (rollouts 30 s, update 12 s)"
    ]
    last = progress_lines(8, 8, {**update, **before})
    assert last[0].startswith("  update 8/8:") and last[1].startswith("  held-out evaluation after update 8:")


def test_relabel_names_the_rows_and_keeps_the_specs():
    summary = {
        "ratings": [
            {"agent": "smollm2?adapter=x", "label": "smollm2", "elo": 3.0},
            {"agent": "random", "label": "random", "elo": -3.0},
        ],
        "matrix": {"smollm2?adapter=x": {"random": {"score": 0.75}}, "random": {"smollm2?adapter=x": {}}},
        "env_id": "games/TicTacToe-v0",
    }
    out = relabel(summary, {"smollm2?adapter=x": "after"})
    assert [r["label"] for r in out["ratings"]] == ["after", "random"]
    assert [r["agent"] for r in out["ratings"]] == ["smollm2?adapter=x", "random"]
    assert out["matrix"] == summary["matrix"] and summary["ratings"][0]["label"] == "smollm2"


def test_phases_time_each_block_and_total_only_the_top_level_ones():
    from rich.console import Console

    phases = Phases()
    with phases("training"):
        sum(range(200_000))
    phases.parts("training", {"rollouts": 100.0})  # a split: shown, not added to the total
    with phases("tournament"):
        pass
    (name, wall, cpu), split, last = phases.rows
    assert name == "training" and wall > 0 and cpu is not None and cpu >= 0
    assert split == ("  rollouts", 100.0, None) and last[0] == "tournament"
    console = Console(record=True, width=200)
    console.print(phases.table())
    text = console.export_text()
    assert "Where the time went" in text and "rollouts" in text
    total = [line for line in text.splitlines() if "total" in line][0]
    assert f"{wall + last[1]:.0f}" in total and "100" not in total


def test_a_trained_lora_adapter_is_an_hf_spec_option(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("peft")
    from agora import resolve_agent
    from agora.agents.local_models import save_tiny_model
    from agora.trainers.policy import build_model

    base = save_tiny_model(tmp_path / "base", seed=0)
    model, tokenizer = build_model(str(base), {}, lora_rank=4)
    with torch.no_grad():  # a trained adapter: B is zero at init, so set it
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn_like(p) * 0.1)
    model.save_pretrained(tmp_path / "adapter")
    ids = torch.tensor([tokenizer("Your move: [4]")["input_ids"]])
    with torch.no_grad():
        expected = model(ids).logits
        plain = resolve_agent(f"hf:{base}").engine.model(ids).logits
        adapted = resolve_agent(f"hf:{base}?adapter={tmp_path / 'adapter'}").engine.model(ids).logits
    assert torch.allclose(adapted, expected, atol=1e-4)
    assert not torch.allclose(plain, expected, atol=1e-2)
    with pytest.raises(ValueError, match="adapter_config.json"):
        resolve_agent(f"hf:{base}?adapter={tmp_path}")


@pytest.mark.slow
def test_the_demo_pipeline_end_to_end_on_a_tiny_model(tmp_path):
    # SmolLM2 takes minutes; the same pipeline on a tiny checkpoint: evaluate, train the LoRA adapter,
    # rate before/after/random/minimax with the adapter as an agent spec, write the plots.
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from agora.agents.local_models import save_tiny_model

    model = save_tiny_model(tmp_path / "tiny", seed=0)
    out = tmp_path / "demo"
    args = ["demo", "--model", str(model), "--out", str(out), "--steps", "1", "--games", "1", "--workers", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in (
        "learning_curve.png",
        "ratings.png",
        "train/metrics.jsonl",
        "tournament/games.jsonl",
        "train/checkpoints/step_000001/model/adapter_config.json",
    ):
        assert (out / name).is_file(), name
    assert "tiny after" in result.output and "tiny before" in result.output
    assert "legal-move rate" in result.output
    # CliRunner's output is not a terminal: the bar is not drawn there, but every update and evaluation has its line
    lines = result.output.splitlines()
    assert any(line.startswith("  held-out evaluation before training: legal moves") for line in lines), result.output
    assert any(line.startswith("  update 1/1: legal moves") for line in lines), result.output
    assert any(line.startswith("  held-out evaluation after update 1:") for line in lines), result.output
    assert "cpu in fp32 (config: auto)" in result.output  # the suite pins auto to fp32 (tests/conftest.py)
