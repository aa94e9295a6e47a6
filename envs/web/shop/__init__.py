"""The shop family of web envs: a local web shop (`ShopEnv`), its catalog, tasks and server app."""
