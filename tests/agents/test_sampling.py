"""Per-request seeded sampling: the right distribution, and a request's sample independent of its batch."""

import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agora.agents.chat import SamplingParams  # noqa: E402
from agora.agents.hf import HFAgent  # noqa: E402
from agora.agents.sampling import GumbelSampler, _nucleus, request_seed  # noqa: E402


def test_gumbel_max_draws_from_the_softmax_at_the_temperature():
    # logits (0, ln 3) at temperature 1: probabilities 1/4, 3/4; at temperature 2: 1/(1+sqrt 3), ...
    logits = torch.tensor([[0.0, math.log(3.0)]])
    for temperature, p1 in ((1.0, 0.75), (2.0, math.sqrt(3) / (1 + math.sqrt(3)))):
        sampler = GumbelSampler([7], temperature)
        picks = [int(sampler(None, logits).argmax()) for _ in range(8000)]
        share = sum(picks) / len(picks)
        assert abs(share - p1) < 4 * math.sqrt(p1 * (1 - p1) / len(picks)), (temperature, share, p1)


def test_nucleus_keeps_the_smallest_set_with_the_mass():
    # softmax(2, 1, 0, -5) = 0.665, 0.245, 0.090, 0.0006: top-p 0.8 keeps the first two, 0.5 only the first.
    scores = torch.tensor([[1.0, 2.0, -5.0, 0.0]])
    assert torch.isinf(_nucleus(torch, scores, 0.8)).tolist() == [[False, False, True, True]]
    assert torch.isinf(_nucleus(torch, scores, 0.5)).tolist() == [[True, False, True, True]]


def test_request_seeds_differ_by_turn_and_episode():
    seeds = {request_seed(e, t) for e in range(20) for t in range(1, 20)}
    assert len(seeds) == 20 * 19 and all(0 <= s < 2**63 for s in seeds)
    assert request_seed(5, 3) == request_seed(5, 3)


def test_a_requests_sample_does_not_depend_on_its_batch(engine):
    tok = engine.tokenizer
    prompts = [tok(t)["input_ids"] for t in ("hello there", "a b c d e f g", "x")]
    sampling = SamplingParams(temperature=1.0, max_new_tokens=8)
    alone = engine.generate([prompts[2]], sampling, seeds=[3])[0]
    batched = engine.generate(prompts, sampling, seeds=[1, 2, 3])[2]
    assert batched.token_ids == alone.token_ids
    assert batched.logprobs == pytest.approx(alone.logprobs, abs=1e-5)
    other = engine.generate([prompts[2]], sampling, seeds=[4])[0]
    assert other.token_ids != alone.token_ids


def test_an_agent_reset_with_a_seed_replays_its_episode(engine):
    agent = HFAgent(engine, sampling=SamplingParams(temperature=1.0, max_new_tokens=6))
    info = {"instructions": "Play.", "legal_actions": ["[0]", "[4]"]}

    def episode(seed):
        agent.reset(seed=seed)
        return [agent.act(f"Turn {k}.", info).completion_token_ids for k in range(3)]

    first = episode(11)
    assert episode(11) == first
    assert episode(12) != first
