"""`agora export --to hf` read back with `datasets.load_from_disk`; W&B logging (offline) and config copies."""

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from agora import rollout
from agora.cli import app
from agora.trajectory import Episode, Turn

datasets = pytest.importorskip("datasets")


def _token_episode() -> Episode:
    turns = [
        Turn("player_0", 0, "obs 0", "[4]", reward=0.0, prompt_token_ids=[1, 2, 3], completion_token_ids=[4, 5],
             completion_logprobs=[-0.1, -0.2], loss_mask=[1, 1], info={"advantage": 0.5}),
        Turn("player_0", 1, "obs 1", "[0]", reward=1.0, prompt_token_ids=[1, 2, 3, 4, 5, 6],
             completion_token_ids=[7], completion_logprobs=[-0.3], loss_mask=[1], info={"advantage": -0.25}),
    ]  # fmt: skip
    return Episode("tok/0", "games/TicTacToe-v0", 3, "g3", turns, returns={"player_0": 1.0}, terminated=True)


def test_export_writes_a_dataset_that_load_from_disk_reads(tmp_path):
    run = tmp_path / "run.jsonl"
    played = rollout.run("games/TicTacToe-v0", "random", episodes=3, out=str(run), env_kwargs={"opponent": "random"})
    failed = Episode("bad/0", "games/TicTacToe-v0", 9, "g9", [Turn("player_0", 0, "o", "a", reward=5.0)],
                     status="failed", error="RuntimeError: boom")  # fmt: skip
    with open(run, "a") as f:
        f.write(_token_episode().to_json() + "\n" + failed.to_json() + "\n")

    result = CliRunner().invoke(app, ["export", str(run), "--to", "hf", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "1 failed episodes left out" in result.output
    ds = datasets.load_from_disk(str(tmp_path / "ds"))

    expected_turns = sum(len(e.turns) for e in played.episodes) + 2
    assert ds.num_rows == expected_turns and "bad/0" not in set(ds["episode_id"])
    for episode in played.episodes:
        rows = [r for r in ds if r["episode_id"] == episode.episode_id]
        assert [r["reward"] for r in rows] == [t.reward for t in episode.turns]
        assert rows[-1]["messages"][-1] == {"role": "assistant", "content": episode.turns[-1].action}
        assert len(rows[-1]["messages"]) == 2 * len(episode.turns)
        assert rows[0]["prompt_token_ids"] is None and rows[0]["advantage"] is None  # scripted: no tokens
    tok = [r for r in ds if r["episode_id"] == "tok/0"]
    assert [r["completion_token_ids"] for r in tok] == [[4, 5], [7]]
    assert [r["prompt_token_ids"] for r in tok] == [[1, 2, 3], [1, 2, 3, 4, 5, 6]]
    assert [r["loss_mask"] for r in tok] == [[1, 1], [1]]
    assert tok[1]["completion_logprobs"] == pytest.approx([-0.3])
    assert [r["advantage"] for r in tok] == [0.5, -0.25] and [r["return"] for r in tok] == [1.0, 1.0]
    assert tok[1]["messages"] == [
        {"role": "user", "content": "obs 0"}, {"role": "assistant", "content": "[4]"},
        {"role": "user", "content": "obs 1"}, {"role": "assistant", "content": "[0]"},
    ]  # fmt: skip


def test_export_rejects_what_is_not_a_rollout_file(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"hello": 1}\n')
    result = CliRunner().invoke(app, ["export", str(bad), "--to", "hf", str(tmp_path / "ds")])
    assert result.exit_code == 1 and "x.jsonl:1 is not an agora episode record" in result.output
    result = CliRunner().invoke(app, ["export", str(bad), "--to", "parquet", str(tmp_path / "ds")])
    assert result.exit_code == 2 and "use --to hf" in result.output


def test_wandb_offline_run_resumes_and_config_is_copied(tmp_path, monkeypatch):
    pytest.importorskip("wandb")
    from agora.trainers.metrics import MetricsLogger, read_metrics

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    config = {"env_id": "games/Nim-v0", "lr": 0.001, "std": None}
    logger = MetricsLogger(tmp_path, config=config, wandb_project="agora-tests")
    logger.log(1, {"env/return_mean": 0.5})
    logger.close()
    run_id = (tmp_path / "wandb_id.txt").read_text().strip()
    assert json.loads((tmp_path / "config.json").read_text()) == config
    (run_dir,) = (tmp_path / "wandb").glob(f"offline-run-*-{run_id}")
    assert (run_dir / f"run-{run_id}.wandb").stat().st_size > 0
    logger = MetricsLogger(tmp_path, config=config, wandb_project="agora-tests")  # a resumed run: same id
    logger.log(2, {"env/return_mean": 0.75})
    logger.close()
    assert (tmp_path / "wandb_id.txt").read_text().strip() == run_id
    assert read_metrics(tmp_path) == [{"step": 1, "env/return_mean": 0.5}, {"step": 2, "env/return_mean": 0.75}]


@pytest.mark.slow
def test_agora_train_keeps_its_resolved_config(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from agora.trainers.config import TrainConfig
    from agora.trainers.loop import Trainer

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    tiny = {"hidden_size": 32, "num_layers": 1, "num_heads": 1}
    out = str(tmp_path / "run")
    cfg = TrainConfig(
        env_id="drills/GuessNumber-v0", model_kwargs=tiny, torch_threads=1, out_dir=out, wandb_project="agora-tests"
    )
    trainer = Trainer(cfg)
    trainer.metrics.close()
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved == json.loads(json.dumps(dataclasses.asdict(cfg)))
    assert saved["group_size"] == 4 and saved["wandb_project"] == "agora-tests"  # defaults resolved too
    assert list((tmp_path / "run" / "wandb").glob("offline-run-*"))
