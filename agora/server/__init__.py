"""`agora serve`: every registered env over WebSocket (needs ``pip install 'agora[server]'``).

See `agora.server.app` (routes, security rules), `agora.wire.protocol` (the messages) and
`agora.server.openenv` (the OpenEnv-compatible endpoint). Clients: `agora.remote`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EnvServer", "serve"]


def __getattr__(name: str) -> Any:
    if name == "EnvServer":
        from agora.server.app import EnvServer

        return EnvServer
    raise AttributeError(name)


def serve(host: str = "127.0.0.1", port: int = 8000, **kwargs: Any) -> None:
    """Runs a server until interrupted (see `agora.server.app.EnvServer` for the arguments)."""
    import asyncio

    from agora.server.app import EnvServer, new_event_loop

    async def main() -> None:
        await EnvServer(host, port, **kwargs).serve(
            lambda s: print(f"agora serve listening on ws://{s.host}:{s.bound_port}", flush=True)
        )

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main())
