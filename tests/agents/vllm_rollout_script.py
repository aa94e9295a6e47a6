"""Run under .venv-vllm's python: a VLLMAgent on a tiny local model plays a rollout; prints a JSON report."""

import json
import sys
import tempfile


def main(workdir: str) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    from agora import rollout
    from agora.agent import resolve_agent
    from agora.agents.local_models import save_tiny_model

    path = save_tiny_model(f"{workdir}/tiny", hidden_size=128, num_heads=2)  # head dim 64
    agent = resolve_agent(f"vllm:{path}?max_new_tokens=6&temperature=1.0&dtype=float32")
    result = rollout.run("games/TicTacToe-v0", agent, episodes=4, concurrency=4, max_turns=6)
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    report = {
        "statuses": [e.status for e in result.episodes],
        "errors": [e.error for e in result.episodes],
        "turns": 0,
        "max_logprob_error": 0.0,
        "prefix_ok": True,
    }
    for e in result.episodes:
        for seat in e.returns:
            turns = e.turns_of(seat)
            for before, after in zip(turns, turns[1:], strict=False):
                prefix = before.prompt_token_ids + before.completion_token_ids
                report["prefix_ok"] &= after.prompt_token_ids[: len(prefix)] == prefix
        for t in e.turns:
            ids = t.prompt_token_ids + t.completion_token_ids
            with torch.no_grad():
                logp = torch.log_softmax(model(torch.tensor([ids])).logits[0].float(), -1)
            n = len(t.prompt_token_ids)
            for i, (tok, lp) in enumerate(zip(t.completion_token_ids, t.completion_logprobs, strict=True)):
                report["max_logprob_error"] = max(report["max_logprob_error"], abs(logp[n - 1 + i, tok].item() - lp))
            report["turns"] += 1
    sync_reply = agent.fork().act("Your move.", {"legal_actions": ["[4]"]})  # sync act from outside a loop
    report["sync_tokens"] = len(sync_reply.completion_token_ids)
    agent.backend.close()
    return report


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print("REPORT " + json.dumps(main(tmp)), flush=True)
    sys.exit(0)
