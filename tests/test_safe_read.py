"""Hostile weights files: each class of damage or trickery ends as the project's own message.

Every file is made here (no binary corpus): crafted HDF5 and safetensors files, a
byte change that segfaults libhdf5, readers that crash, hang or grab memory in the
child, and mutated bytes from hypothesis. The test process must survive them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.engine.formatting import byte_text
from components.keras_side import safe_read, weights
from tests.english import english

MISBEHAVING = "tests.misbehaving_reader"


def refusal(call, *args, **kwargs) -> weights.WeightsError:
    with pytest.raises(weights.WeightsError) as info:
        call(*args, **kwargs)
    return info.value


def legacy_bytes() -> bytes:
    """Two layers in the layout of Keras' published .h5 files (h5py writes it byte for byte)."""
    import io

    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        names = ["block1_conv1", "predictions"]
        f.attrs["layer_names"] = [n.encode() for n in names]
        rng = np.random.default_rng(0)
        for name, shapes in zip(names, [((3, 3, 3, 4), (4,)), ((64, 5), (5,))], strict=True):
            group = f.create_group(name)
            weight_names = [f"{name}_{i}:0".encode() for i in range(2)]
            group.attrs["weight_names"] = weight_names
            for weight, shape in zip(weight_names, shapes, strict=True):
                group[weight.decode()] = rng.normal(size=shape).astype("f4")
    return buffer.getvalue()


def keras3_bytes() -> bytes:
    """The Keras 3 ``.weights.h5`` layout: layers/<name>/vars/<i>."""
    import io

    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        rng = np.random.default_rng(1)
        for name, shapes in (("conv2d", ((3, 3, 3, 4), (4,))), ("dense", ((64, 5), (5,)))):
            vars_ = f.create_group(f"layers/{name}/vars")
            for i, shape in enumerate(shapes):
                vars_[str(i)] = rng.normal(size=shape).astype("f4")
    return buffer.getvalue()


LEGACY, KERAS3 = cache(legacy_bytes), cache(keras3_bytes)


def one_weight_file(path: Path, make) -> Path:
    """A legacy-layout file whose single weight ``conv/k`` is made by ``make(file, group)``."""
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"conv"]
        group = f.create_group("conv")
        group.attrs["weight_names"] = [b"k"]
        make(f, group)
    return path


def server_secret(tmp_path: Path) -> Path:
    secret = tmp_path / "server_secret.txt"
    secret.write_bytes(b"password=hunter2" * 4)  # 64 bytes = 16 float32
    return secret


# ------------------------------------------------------------------ crashes, hangs, memory


def test_a_byte_that_segfaults_libhdf5_is_a_clear_message(tmp_path: Path) -> None:
    damaged = bytearray(LEGACY())
    damaged[857] = 0xE2  # found by fuzzing: libhdf5 dereferences a bad address while indexing
    path = tmp_path / "damaged.h5"
    path.write_bytes(damaged)
    bare = subprocess.run(
        [sys.executable, "-c", "import h5py, sys; f = h5py.File(sys.argv[1]); "
         "[f[n].attrs['weight_names'] for n in f.attrs['layer_names']]", str(path)],
        capture_output=True, timeout=60,
    )  # fmt: skip
    error = refusal(weights.read_keras_weights, path)
    if bare.returncode < 0:  # this HDF5 build crashes on it: the child took the crash
        assert error.code == "act.err.weights_crashed"
    else:
        assert error.code in ("act.err.weights_crashed", "act.err.h5_corrupt", "act.err.h5_layout")


def misbehaving(tmp_path: Path, mode: str, **limits) -> weights.WeightsError:
    path = tmp_path / f"{mode}.h5"
    path.write_bytes(safe_read.HDF5_SIGNATURE + mode.encode() + b"\0" * 64)
    return refusal(
        safe_read.read_untrusted, "h5", path, safe_read.Limits(**limits), reader=MISBEHAVING
    )


def test_a_crash_in_the_child_leaves_this_process_running(tmp_path: Path) -> None:
    assert misbehaving(tmp_path, "segfault").code == "act.err.weights_crashed"


def test_an_endless_loop_in_the_child_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    start = time.perf_counter()
    error = misbehaving(tmp_path, "hang", seconds=2.0)
    assert error.code == "act.err.weights_timeout" and error.issues[0].values == {"seconds": 2}
    assert time.perf_counter() - start < 10


def test_the_child_cannot_take_more_memory_than_its_limit(tmp_path: Path) -> None:
    """4 GB of address space is refused to the child (it would succeed without the limit)."""
    assert misbehaving(tmp_path, "allocate").code == "act.err.weights_crashed"


def test_only_known_reasons_are_taken_from_the_child(tmp_path: Path) -> None:
    assert misbehaving(tmp_path, "forged").code == "act.err.h5_corrupt"


def test_thousands_of_arrays_are_refused(tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "many.weights.h5"
    with h5py.File(path, "w") as f:
        vars_ = f.create_group("layers/dense/vars")
        for i in range(4100):
            vars_[str(i)] = np.zeros(1, "f4")
    error = refusal(weights.read_keras_weights, path)
    assert error.code == "act.err.too_many_arrays" and error.issues[0].values == {"max": 4096}


def test_no_temporary_files_are_left_behind(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    weights.read_keras_weights(LEGACY())
    refusal(weights.read_keras_weights, b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    assert list(tmp_path.iterdir()) == []


def test_arrays_too_large_for_any_vgg_are_refused_before_reading(tmp_path: Path) -> None:
    def huge(f, group) -> None:  # 3.6 GB declared, nothing stored: the file stays tiny
        group.create_dataset("k", shape=(30_000, 30_000), dtype="f4", chunks=(100, 100))

    path = one_weight_file(tmp_path / "huge.h5", huge)
    assert path.stat().st_size < 100_000
    error = refusal(weights.read_keras_weights, path)
    assert error.code == "act.err.weights_too_big"
    assert error.issues[0].values == {"limit": safe_read.MAX_ARRAY_BYTES}
    assert byte_text(safe_read.MAX_ARRAY_BYTES) in english(error.issues)


# ------------------------------------------------------------------ reading other files


def test_external_storage_pointing_at_a_server_file_is_refused(tmp_path: Path) -> None:
    secret = server_secret(tmp_path)

    def external(f, group) -> None:
        group.create_dataset("k", shape=(16,), dtype="f4", external=[(str(secret), 0, 64)])

    error = refusal(weights.read_keras_weights, one_weight_file(tmp_path / "ext.h5", external))
    assert error.code == "act.err.h5_external" and error.issues[0].values == {"name": "conv/k"}


def test_external_storage_in_the_keras3_layout_is_refused(tmp_path: Path) -> None:
    import h5py

    secret = server_secret(tmp_path)
    path = tmp_path / "ext.weights.h5"
    with h5py.File(path, "w") as f:
        vars_ = f.create_group("layers/dense/vars")
        vars_.create_dataset("0", shape=(4, 4), dtype="f4", external=[(str(secret), 0, 64)])
    error = refusal(weights.read_keras_weights, path.read_bytes())  # as an upload
    assert error.code == "act.err.h5_external" and error.issues[0].values == {
        "name": "dense/vars/0"
    }


def other_file(tmp_path: Path) -> Path:
    import h5py

    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["data"] = np.arange(4, dtype="f4")
    return other


def test_external_link_is_refused(tmp_path: Path) -> None:
    import h5py

    other = other_file(tmp_path)

    def link(f, group) -> None:
        group["k"] = h5py.ExternalLink(str(other), "/data")

    error = refusal(weights.read_keras_weights, one_weight_file(tmp_path / "link.h5", link))
    assert error.code == "act.err.h5_link" and error.issues[0].values == {"name": "k"}


def test_soft_links_that_leave_the_file_are_refused_inside_ones_followed(tmp_path: Path) -> None:
    import h5py

    other = other_file(tmp_path)

    def through_external(f, group) -> None:
        f["elsewhere"] = h5py.ExternalLink(str(other), "/")
        group["k"] = h5py.SoftLink("/elsewhere/data")

    def dangling(f, group) -> None:
        group["k"] = h5py.SoftLink("/nowhere/k")

    def inside(f, group) -> None:
        f["store/k"] = np.full(4, 2.5, dtype="f4")
        f["store/alias"] = h5py.SoftLink("k")  # relative: from its own group
        group["k"] = h5py.SoftLink("/store/alias")

    def loop(f, group) -> None:
        group["k"] = h5py.SoftLink("/conv/k")

    for make in (through_external, dangling, loop):
        path = one_weight_file(tmp_path / f"{make.__name__}.h5", make)
        assert refusal(weights.read_keras_weights, path).code == "act.err.h5_link"
    arrays = weights.read_keras_weights(one_weight_file(tmp_path / "inside.h5", inside))
    np.testing.assert_array_equal(arrays["conv"][0], np.full(4, 2.5, dtype="f4"))


def test_virtual_dataset_is_refused(tmp_path: Path) -> None:
    import h5py

    other = other_file(tmp_path)

    def virtual(f, group) -> None:
        layout = h5py.VirtualLayout(shape=(4,), dtype="f4")
        layout[:] = h5py.VirtualSource(str(other), "data", shape=(4,))
        group.create_virtual_dataset("k", layout)

    error = refusal(weights.read_keras_weights, one_weight_file(tmp_path / "vds.h5", virtual))
    assert error.code == "act.err.h5_virtual"


@pytest.mark.parametrize("dtype", ["i4", "u1", "S8", "c8", "?"])
def test_non_float_arrays_are_refused(tmp_path: Path, dtype: str) -> None:
    def typed(f, group) -> None:
        group.create_dataset("k", shape=(4,), dtype=dtype)

    error = refusal(weights.read_keras_weights, one_weight_file(tmp_path / "typed.h5", typed))
    assert error.code == "act.err.h5_dtype" and error.issues[0].values["name"] == "conv/k"


def test_a_group_where_an_array_belongs_is_refused(tmp_path: Path) -> None:
    import h5py

    def group_for_dataset(f, group) -> None:
        group.create_group("k")

    error = refusal(
        weights.read_keras_weights, one_weight_file(tmp_path / "g.h5", group_for_dataset)
    )
    assert error.code == "act.err.h5_not_array"
    path = tmp_path / "g.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group("layers/dense/vars/0")
    assert refusal(weights.read_keras_weights, path).code == "act.err.h5_not_array"


def test_nan_or_infinite_weights_are_refused(tmp_path: Path) -> None:
    for bad in (np.nan, np.inf):

        def poisoned(f, group, bad=bad) -> None:
            group["k"] = np.array([1.0, bad, 3.0], dtype="f4")

        error = refusal(weights.read_keras_weights, one_weight_file(tmp_path / "nan.h5", poisoned))
        assert error.code == "act.err.not_finite" and error.issues[0].values == {"name": "conv/k"}


def test_float16_and_float64_arrays_come_back_as_float32(tmp_path: Path) -> None:
    def halves(f, group) -> None:
        group["k"] = np.array([0.5, -1.25], dtype="f2")

    arrays = weights.read_keras_weights(one_weight_file(tmp_path / "half.h5", halves))
    assert arrays["conv"][0].dtype == np.float32
    np.testing.assert_array_equal(arrays["conv"][0], [0.5, -1.25])


def test_sandboxed_arrays_equal_the_in_process_ones(tmp_path: Path) -> None:
    for data in (LEGACY(), KERAS3()):
        path = tmp_path / "w.h5"
        path.write_bytes(data)
        with weights.trusted_keras_weights(path) as trusted:
            expected = {k: [np.asarray(a) for a in v] for k, v in trusted.items()}
        got = weights.read_keras_weights(data)
        assert got.keys() == expected.keys()
        for name in got:
            for a, b in zip(got[name], expected[name], strict=True):
                np.testing.assert_array_equal(a, b)
                assert not a.flags.writeable  # a read-only view of the child's output


# ------------------------------------------------------------------ paths


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.weights.h5"
    os.mkfifo(fifo)
    start = time.perf_counter()
    error = refusal(weights.read_keras_weights, fifo)
    assert error.code == "act.err.not_regular" and time.perf_counter() - start < 2
    assert refusal(weights.read_safetensors, fifo).code == "act.err.not_regular"


def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "late.h5"
    os.mkfifo(fifo)
    assert refusal(safe_read._head, fifo).code == "act.err.not_regular"


def test_no_room_for_the_reader_is_a_message(monkeypatch) -> None:
    import errno
    import tempfile

    def full(**_) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    error = refusal(weights.read_keras_weights, LEGACY())
    assert error.code == "act.err.reader_unavailable"
    assert error.issues[0].values == {"reason": "No space left on device"}


def test_devices_folders_long_and_tilde_paths_are_refused(tmp_path: Path) -> None:
    assert refusal(weights.read_keras_weights, Path("/dev/zero")).code == "act.err.not_regular"
    assert refusal(weights.read_keras_weights, tmp_path).code == "act.err.not_regular"
    long = Path("/" + "a" * 5000 + ".h5")
    assert refusal(weights.read_keras_weights, long).issues[0].values == {
        "length": 5004,
        "max": 1024,
    }
    assert refusal(weights.read_keras_weights, Path("~root/x.h5")).code == "act.err.path_tilde"
    assert refusal(weights.read_keras_weights, tmp_path / "absent.h5").code == "act.err.no_file"


def test_weights_folder_lists_only_its_own_regular_weights_files(tmp_path: Path) -> None:
    folder, outside = tmp_path / "weights", tmp_path / "private"
    folder.mkdir(), outside.mkdir()
    (folder / "vgg16.weights.h5").write_bytes(LEGACY())
    (folder / "tv.safetensors").write_bytes(b"x")
    (folder / "notes.txt").write_text("x")
    (folder / "sub.h5").mkdir()
    os.mkfifo(folder / "pipe.h5")
    (outside / "secret.h5").write_bytes(b"x")
    (folder / "escape.h5").symlink_to(outside / "secret.h5")
    (folder / "alias.h5").symlink_to(folder / "vgg16.weights.h5")
    assert safe_read.folder_files(folder) == ["alias.h5", "tv.safetensors", "vgg16.weights.h5"]
    assert safe_read.in_folder(folder, "alias.h5") == (folder / "vgg16.weights.h5").resolve()
    for name in ("escape.h5", "../private/secret.h5", "..", "", "sub.h5", "pipe.h5"):
        with pytest.raises(weights.WeightsError):
            safe_read.in_folder(folder, name)
    assert safe_read.folder_files(tmp_path / "absent") == []


# ------------------------------------------------------------------ safetensors


def safetensors_bytes(tensors: dict[str, tuple[str, tuple[int, ...], bytes]]) -> bytes:
    """A .safetensors file written by hand, so any dtype name can be used."""
    header, data = {}, b""
    for key, (dtype, shape, raw) in tensors.items():
        header[key] = {
            "dtype": dtype,
            "shape": list(shape),
            "data_offsets": [len(data), len(data) + len(raw)],
        }
        data += raw
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + data


def test_bfloat16_is_widened_exactly_to_float32() -> None:
    values = np.array([[1.5, -2.25], [3.0, 1e-3]], dtype=np.float32)
    bf16 = (values.view(np.uint32) >> 16).astype("<u2")  # truncation: what bf16 stores
    got = weights.read_safetensors(safetensors_bytes({"w": ("BF16", (2, 2), bf16.tobytes())}))["w"]
    expected = (bf16.astype(np.uint32) << 16).view(np.float32)
    assert got.dtype == np.float32 and got.shape == (2, 2)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(got, values, rtol=1e-2)


@pytest.mark.parametrize("dtype", ["F8_E4M3", "F8_E5M2", "I32", "U8", "BOOL"])
def test_fp8_and_integer_tensors_are_refused(dtype: str) -> None:
    data = safetensors_bytes(
        {"features.0.weight": (dtype, (4,), b"\0" * 4 * (4 if dtype == "I32" else 1))}
    )
    error = refusal(weights.read_safetensors, data)
    assert error.code == "act.err.st_dtype"
    assert error.issues[0].values == {"name": "features.0.weight", "dtype": dtype}


def test_torch_batch_counters_are_the_integers_kept() -> None:
    from safetensors.numpy import save

    data = save({"features.1.num_batches_tracked": np.array(7), "w": np.ones(3, "f8")})
    got = weights.read_safetensors(data)
    assert got["features.1.num_batches_tracked"] == 7 and got["w"].dtype == np.float32


def test_nan_in_a_state_dict_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    path = tmp_path / "nan.safetensors"
    save_file({"features.0.weight": np.array([0.0, -np.inf], "f4")}, str(path))
    with pytest.raises(weights.WeightsError, match="not_finite"), weights.torch_tensors(path):
        pass


# ------------------------------------------------------------------ mutated bytes


def mutations():
    """Up to 8 byte changes in the first 4 KB (the index: superblock, B-trees, heaps), a cut."""
    changes = st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=8)
    return st.tuples(changes, st.one_of(st.none(), st.integers(0, 12_000)))


def mutate(data: bytes, mutation) -> bytes:
    changes, cut = mutation
    out = bytearray(data)
    for position, value in changes:
        if position < len(out):
            out[position] = value
    return bytes(out[:cut] if cut is not None else out)


def valid_or_refused(read, data: bytes) -> None:
    """The project's own error, or arrays that are usable: nothing else."""
    try:
        result = read(data)
    except weights.WeightsError as error:
        assert error.code.startswith("act.err.")
        return
    for values in result.values():
        for array in values if isinstance(values, list) else [values]:
            assert isinstance(array, np.ndarray)
            assert array.dtype != np.float32 or np.isfinite(array).all()


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutation=mutations(), keras3=st.booleans())
def test_mutated_hdf5_is_read_or_refused(mutation, keras3: bool) -> None:
    valid_or_refused(weights.read_keras_weights, mutate(KERAS3() if keras3 else LEGACY(), mutation))


@cache
def state_dict_bytes() -> bytes:
    from safetensors.numpy import save

    rng = np.random.default_rng(2)
    kernel = rng.normal(size=(4, 3, 3, 3)).astype("f4")
    return save({"c.weight": kernel, "c.bias": np.zeros(4, "f2"), "fc.weight": np.ones((5, 8))})


@FUZZ
@given(mutation=mutations())
def test_mutated_safetensors_is_read_or_refused(mutation) -> None:
    valid_or_refused(weights.read_safetensors, mutate(state_dict_bytes(), mutation))
