"""Run under .venv-vllm's python: the trainer with vLLM rollouts, full and LoRA; prints a JSON report.

For each of full fine-tuning and LoRA (r8): a `Trainer` with ``backend="vllm"`` plays one real update
on TicTacToe against `random` (rollouts, eval and weight sync through vLLM). Then a large supervised
update of the trainer's model is pushed with the loop's own `sync_weights`. After each sync, vLLM
samples from a fixed prompt (4 identical concurrent requests: one ``n=4`` request) and the logprobs
it reports are compared with the trainer model's teacher-forced logprobs of the same tokens, and with
the model from before the update.
"""

import copy
import json
import sys
import tempfile


def teacher_forced(model, prompt, completion):
    import torch

    ids = torch.tensor([prompt + completion])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), -1)
    return [logp[len(prompt) - 1 + i, tok].item() for i, tok in enumerate(completion)]


def sample(trainer, prompt):
    from agora.agents.chat import SamplingParams
    from agora.trainers.sync import rollout_agent

    backend = trainer.engine.backend
    lora = rollout_agent(trainer.engine).lora
    sampling = SamplingParams(temperature=1.0, max_new_tokens=8)
    futures = [backend.submit(prompt, sampling, lora) for _ in range(4)]
    return [f.result() for f in futures]


def max_error(completions, model, prompt):
    return max(
        abs(a - b)
        for c in completions
        for a, b in zip(c.logprobs, teacher_forced(model, prompt, c.token_ids), strict=True)
    )


def supervised_update(model, prompt, target, steps=4, lr=3e-2):
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr)
    ids = torch.tensor([prompt + target])
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        logp = torch.log_softmax(model(input_ids=ids).logits[0, len(prompt) - 1 : -1].float(), -1)
        (-logp.gather(-1, torch.tensor(target)[:, None]).mean()).backward()
        optimizer.step()
    model.eval()


def run(workdir, lora_rank, loop=True):
    from agora.trainers.config import TrainConfig
    from agora.trainers.loop import Trainer
    from agora.trainers.sync import sync_weights

    cfg = TrainConfig(
        env_id="games/TicTacToe-v0",
        env_kwargs={"opponent": "random"},
        backend="vllm",
        model_kwargs={"hidden_size": 128, "num_layers": 2, "num_heads": 2},
        lora_rank=lora_rank,
        system_prompt="",
        steps=1,
        batch_episodes=4,
        group_size=4,
        eval_episodes=2,
        max_new_tokens=4,
        max_turns=4,
        lr=1e-2,
        torch_threads=1,
        vllm_max_model_len=512,
        device="cpu",
        out_dir=f"{workdir}/run{lora_rank}",
    )
    trainer = Trainer(cfg)
    if loop:
        trainer.run()  # one update: rollouts and eval on vLLM, sync after the update
    prompt = trainer.tokenizer.apply_chat_template(
        [{"role": "user", "content": "Your move. Legal: [4]"}], add_generation_prompt=True, tokenize=True
    )
    prompt = list(prompt["input_ids"] if hasattr(prompt, "keys") else prompt)
    out = {"after_loop_step": max_error(sample(trainer, prompt), trainer.model, prompt)}
    before = copy.deepcopy(trainer.model)
    first = sample(trainer, prompt)  # also fills the prefix cache with the old weights' KV
    supervised_update(trainer.model, prompt, trainer.tokenizer.encode("[4]") + [trainer.tokenizer.eos_token_id])
    sync_weights(trainer.engine, trainer.model)
    after = sample(trainer, prompt)
    out.update(
        before_update=max_error(first, before, prompt),
        after_update=max_error(after, trainer.model, prompt),
        after_vs_old_model=max_error(after, before, prompt),
        n_max=max(trainer.engine.backend.request_sizes),
        prefix_caching=bool(trainer.engine.backend.engine.vllm_config.cache_config.enable_prefix_caching),
        weight_transfer=trainer.engine.backend.weight_transfer,
    )
    trainer.engine.close()
    return out


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        which = [a for a in sys.argv[1:] if a != "--no-loop"] or ["full", "lora"]
        report = {}
        for name in which:
            report[name] = run(tmp, 0 if name == "full" else 8, "--no-loop" not in sys.argv)
            print(f"PART {name} " + json.dumps(report[name]), flush=True)
        print("REPORT " + json.dumps(report), flush=True)
    sys.exit(0)
