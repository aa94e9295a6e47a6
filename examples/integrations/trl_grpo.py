"""Train a model with TRL's GRPOTrainer on a multi-turn agora env (TRL's ``environment_factory`` mode).

CPU, in CI (a tiny Qwen2-shaped model, 2 steps on drills/GuessNumber-v0: guess, read the hint, guess again)::

    python examples/integrations/trl_grpo.py --out runs/trl-tiny

Any Hugging Face chat model whose template TRL can parse tool calls from (Qwen2.5/3, Llama 3.1/3.2, ...), on GPU::

    python examples/integrations/trl_grpo.py --model Qwen/Qwen2.5-0.5B-Instruct --env games/TicTacToe-v0 \
        --opponent random --steps 200 --num-generations 8 --batch-size 8 --max-completion-length 512 \
        --max-turns 9 --out runs/trl-qwen

TRL's OpenEnv path, the env served by `agora serve` and played through OpenEnv's generic client
(``agora[openenv]``): ``--openenv`` starts ``agora serve`` on a free loopback port for the run,
``--openenv http://HOST:PORT`` uses a running one (the env runs there, wherever it is)::

    python examples/integrations/trl_grpo.py --openenv --out runs/trl-openenv

The model plays the env through one tool, ``act(action)``; each call is one env step, the tool's
answer is the next observation, and the episode's return (the sum of the turn rewards) is the GRPO
reward. The tiny model starts random, so it is first taught, by a few supervised steps, to call
``act`` with some move: otherwise it would never take a turn and every reward would be equal.
Writes ``OUT/summary.json`` (per-step reward, tool-call frequency, how far the weights moved; with
``--openenv``, each environment's last episode and the server's own state of it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")


def tiny_model_and_tokenizer(env_factory, seed: int):
    """A tiny random Qwen2 with TRL's Qwen2.5 chat template, taught to call `act` with one of the first legal moves."""
    import torch
    from trl.chat_template_utils import qwen2_5_chat_template

    from agora.agents.local_models import tiny_model
    from agora.integrations.trl import DEFAULT_PROMPT

    torch.manual_seed(seed)
    model, tokenizer = tiny_model("qwen2", hidden_size=64, num_layers=1, seed=seed)
    tokenizer.chat_template = qwen2_5_chat_template
    env = env_factory()
    batch, prompt_lengths = [], []
    for seed in range(3):  # prompts as TRL builds them: the row's instructions, then the env's first observation
        messages = [{"role": "user", "content": DEFAULT_PROMPT + env.reset(seed=seed)}]
        prompt = tokenizer.apply_chat_template(messages, tools=[env.act], tokenize=False, add_generation_prompt=True)
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        for move in list(env.info.get("legal_actions") or ["[0]"])[:4]:
            call = json.dumps({"name": "act", "arguments": {"action": move}})
            reply = f"<tool_call>\n{call}\n</tool_call>{tokenizer.eos_token}"
            batch.append(prompt_ids + tokenizer(reply, add_special_tokens=False)["input_ids"])
            prompt_lengths.append(len(prompt_ids))
    width = max(len(b) for b in batch)
    ids = torch.tensor([b + [tokenizer.pad_token_id] * (width - len(b)) for b in batch])
    labels = ids.clone()
    for row, b in enumerate(batch):
        labels[row, : prompt_lengths[row]] = -100
        labels[row, len(b) :] = -100
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    model.train()
    for _ in range(100):
        loss = model(input_ids=ids, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"warm-start loss {loss.item():.3f}")
    return model, tokenizer


def parse_args() -> argparse.Namespace:
    """The example's flags."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="tiny", help="'tiny' (CPU) or a Hugging Face model id or path")
    parser.add_argument("--env", default="drills/GuessNumber-v0", help="any agora env id (plugins included)")
    parser.add_argument("--opponent", default="", help="opponent spec for games, e.g. random")
    parser.add_argument("--openenv", nargs="?", const="local", metavar="URL",
                        help="play through OpenEnv's client: alone, against a local `agora serve` started for the "
                        "run; with http://HOST:PORT, against that server")  # fmt: skip
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--num-generations", type=int, default=4, help="GRPO group size")
    parser.add_argument("--batch-size", type=int, default=4, help="rollouts per device per step")
    parser.add_argument("--max-completion-length", type=int, default=96)
    parser.add_argument("--max-turns", type=int, default=4, help="tool calls (env steps) per rollout")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/trl-grpo")
    return parser.parse_args()


@contextlib.contextmanager
def env_server(openenv: str | None) -> Iterator[str | None]:
    """Yields the `agora serve` URL to play through: None (in-process), the given one, or a local server's."""
    if openenv != "local":
        yield openenv
        return
    command = [sys.executable, "-m", "agora.cli", "serve", "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        for line in server.stdout:  # until "agora serve listening on ws://127.0.0.1:PORT"
            if "listening on ws://" in line:
                break
        else:
            raise RuntimeError(f"agora serve did not start (exit code {server.wait()})")
        yield "http://" + line.strip().rsplit("ws://", 1)[1]
    finally:
        server.terminate()
        server.wait(timeout=30)


def openenv_report(url: str, envs: list) -> dict:
    """Each environment's last episode, beside the server's state of it, and the server's open sessions."""
    local = "//127.0.0.1:" in url or "//localhost:" in url  # as OpenEnv's client: loopback skips any proxy
    opener = urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if local else []))
    with opener.open(f"{url}/health", timeout=10) as reply:
        sessions = json.load(reply)["sessions"]
    episodes = [{"seed": env.seed, "actions": env.actions, "turn_rewards": env.turn_rewards,
                 "server_state": env.env.state()} for env in envs]  # fmt: skip
    return {"url": url, "server_sessions": sessions, "episodes": episodes}


def load_model(args: argparse.Namespace, env_factory) -> tuple:
    """The tiny warm-started model on CPU, or the named Hugging Face model; its tokenizer pads on the left."""
    import torch

    if args.model == "tiny":
        torch.set_num_threads(1)
        model, tokenizer = tiny_model_and_tokenizer(env_factory, args.seed)
    else:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.model)
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype="auto")
    tokenizer.padding_side = "left"
    return model, tokenizer


def main() -> None:
    """Parses the flags, then trains, against a local `agora serve` when ``--openenv`` asks for one."""
    args = parse_args()
    with env_server(args.openenv) as openenv_url:
        train(args, openenv_url)


def train(args: argparse.Namespace, openenv_url: str | None) -> None:
    """Builds the trainer and trains; writes OUT/summary.json."""
    import torch
    from trl import GRPOConfig, GRPOTrainer

    from agora.integrations.trl import environment_factory, prompt_dataset

    make_kwargs = {"opponent": args.opponent} if args.opponent else {}
    make_env = environment_factory(args.env, openenv_url=openenv_url, **make_kwargs)
    envs = []  # every environment TRL builds, to report on and close at the end

    def factory():
        envs.append(make_env())
        return envs[-1]

    model, tokenizer = load_model(args, factory)
    before = [p.detach().clone() for p in model.parameters()]
    config = GRPOConfig(
        output_dir=args.out,
        max_steps=args.steps,
        per_device_train_batch_size=args.batch_size,
        num_generations=args.num_generations,
        max_completion_length=args.max_completion_length,
        max_tool_calling_iterations=args.max_turns,
        learning_rate=args.lr,
        temperature=0.7 if args.model == "tiny" else 1.0,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=args.seed,
        use_cpu=args.model == "tiny" or not torch.cuda.is_available(),
        bf16=args.model != "tiny" and torch.cuda.is_available(),
    )
    trainer = GRPOTrainer(
        model=model,
        args=config,
        processing_class=tokenizer,
        train_dataset=prompt_dataset(args.env, args.steps * args.batch_size, seed=args.seed),
        environment_factory=factory,
    )
    trainer.train()

    pairs = zip(model.parameters(), before, strict=True)
    moved = sum((p.detach().cpu() - b.cpu()).abs().sum().item() for p, b in pairs)
    logs = [row for row in trainer.state.log_history if "reward" in row]
    summary = {
        "env": args.env,
        "model": args.model,
        "steps": trainer.state.global_step,
        "reward": [row["reward"] for row in logs],
        "tool_call_frequency": [row.get("tools/call_frequency", 0.0) for row in logs],
        "weights_moved_l1": moved,
    }
    if openenv_url:
        summary["openenv"] = openenv_report(openenv_url, envs)
    for env in envs:
        env.env.close()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
