"""Wrappers for single-agent envs: one hook each, named `<Verb><Target>`, visible in `repr`."""

from agora.wrappers.enforce_order import EnforceOrder
from agora.wrappers.record_episode import RecordEpisode
from agora.wrappers.turn_limit import TurnLimit

__all__ = ["EnforceOrder", "RecordEpisode", "TurnLimit"]
