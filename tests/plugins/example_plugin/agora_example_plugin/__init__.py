"""An example third-party agora plugin: one env, registered through the `agora.envs` entry point."""

import agora


def register_envs() -> None:
    """Called once by agora when it loads plugins."""
    agora.register("example/CountUp-v0", "agora_example_plugin.count_up:CountUp", max_turns=20, target=5)
    agora.register("example/CountUpLong-v0", "agora_example_plugin.count_up:CountUp", max_turns=20, target=10)
