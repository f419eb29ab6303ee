"""A stand-in for the sandboxed reader that misbehaves as libhdf5 can: the sandbox must survive it.

The behaviour is written in the input file after the HDF5 signature (the tests make these files).
"""

from __future__ import annotations

import ctypes
import sys
import time
from pathlib import Path

from components.keras_side.sandboxed_reader import set_limits


def main(kind: str, source: str, out_dir: str, limits: str) -> None:
    memory, cpu, budget = map(int, limits.split(","))
    set_limits(memory, cpu, budget)
    mode = Path(source).read_bytes()[8:].split(b"\0")[0].decode()
    if mode == "segfault":
        ctypes.string_at(0)
    elif mode == "hang":  # an endless loop, as a damaged legacy .h5 sends libhdf5 into
        while True:
            time.sleep(0.01)
    elif mode == "allocate":  # 4 GB of address space: more than the child may have
        import numpy as np

        np.empty(4 << 30, np.uint8)
    elif mode == "forged":  # a reason the parent does not know, as a subverted child might send
        (Path(out_dir) / "manifest.json").write_text('{"error": "app.title", "values": {}}')
        return
    (Path(out_dir) / "manifest.json").write_text('{"arrays": []}')


if __name__ == "__main__":
    main(*sys.argv[1:5])
