"""Adapters from agora to the training stacks people already run, one module per framework.

* `agora.integrations.trl`: agora envs as TRL ``GRPOTrainer`` environments (``environment_factory``), in
  this process or, with ``openenv_url=``, served by `agora serve` and played through OpenEnv's client.
* `agora.integrations.verifiers`: agora envs as verifiers environments (``load_environment``, multi-turn).
* `agora.integrations.hf_datasets`: rollout JSONL to a Hugging Face `datasets` dataset (``agora export``).

Each module imports its framework lazily; a missing one raises `MissingDependency` naming the extra
(``pip install 'agora[trl]'``, ``'agora[openenv]'``, ``'agora[verifiers]'``, ``'agora[datasets]'``).
"""
