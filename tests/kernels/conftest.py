import os

import pytest

torch = pytest.importorskip("torch")

# Without a GPU the Triton kernels run under Triton's interpreter on CPU tensors. The flag is read when
# a kernel is decorated, so it must be set before `agora.kernels.triton_logprobs` is first imported.
if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")
