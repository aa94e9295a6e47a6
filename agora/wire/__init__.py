"""The wire between `agora serve` (`agora.server`) and its clients (`agora.remote`), below both.

`agora.wire.protocol` holds the typed requests, replies, values and errors; `agora.wire.transport` the
blocking WebSocket client socket and the single-frame shortcut both ends use.
"""
