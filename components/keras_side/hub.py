"""Trained ImageNet weights for all eight VGGs: torchvision's, as timm publishes them on the Hub.

Downloads go through ``huggingface_hub`` (its cache, locks, resume, ``HF_HUB_OFFLINE``,
``HF_HOME``/``HF_HUB_CACHE``, ``HF_ENDPOINT``), pinned to one commit per repository so a
changed upstream file cannot change the numbers. Every file is checked against its
SHA-256 (the pinned one, else the one the Hub reports, which names the cached blob)
before it is used; a file that fails is deleted, never loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from components.engine.analysis import analyze
from components.engine.errors import InputError
from components.engine.spec import NetworkSpec
from components.engine.vgg import vgg_spec
from components.keras_side.weights import (
    ImagenetFile,
    WeightsError,
    download_imagenet,
    imagenet_file,
)

FILENAME = "model.safetensors"
DEFAULT_ENDPOINT = "https://huggingface.co"
CONNECT_TIMEOUT = 4.0  # seconds to reach the Hub before saying "offline"
ETAG_TIMEOUT = 5.0  # seconds for the Hub to answer the metadata request
SHA256 = re.compile(r"[0-9a-f]{64}")
COMMIT = re.compile(r"[0-9a-f]{40}")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubFile:
    """One variant's weights on the Hub. ``revision`` and ``sha256`` are data: a commit
    pins the file; ``sha256=None`` means "check against the SHA-256 the Hub reports"."""

    variant: str  # "vgg16_bn"
    repo_id: str
    revision: str
    sha256: str | None = None

    @property
    def arch(self) -> str:
        return self.variant.removesuffix("_bn")

    @property
    def batch_norm(self) -> bool:
        return self.variant.endswith("_bn")

    @property
    def pinned(self) -> bool:
        return bool(COMMIT.fullmatch(self.revision))

    @property
    def approx_bytes(self) -> int:
        """The file's size to within its header: every tensor × 4 bytes, from the engine."""
        return _weight_bytes(self.variant)


# Commits and SHA-256 as the Hub's own pages list them ("Add model" commit of each
# repository; the LFS object's SHA-256 of model.safetensors). Not checked against the live
# Hub from this machine (no network); two SHA-256 were not found and stay None, so those
# files are checked against the SHA-256 the Hub reports for the pinned commit.
HUB_FILES: dict[str, HubFile] = {
    f.variant: f
    for f in (
        HubFile(
            "vgg11",
            "timm/vgg11.tv_in1k",
            "38b46049b490ec2bdb6d4d32b8354c74977f3347",
            "682c023808812148d4e60c76d80ad83dbeaf5d50eb1a952a0b836895003151e5",
        ),
        HubFile("vgg11_bn", "timm/vgg11_bn.tv_in1k", "1eb350bbb712e01a71a259d3296ac996539a9f0e"),
        HubFile("vgg13", "timm/vgg13.tv_in1k", "398c5a92d29787ceca04d7b45c8a07efd8f934f7"),
        HubFile(
            "vgg13_bn",
            "timm/vgg13_bn.tv_in1k",
            "ed6e64d6167edbe08697cb4d7ceaef5077972131",
            "7dae235e35772693cd527e7ac9ef8f6594707a14a8d26aabdb83c0baa6847861",
        ),
        HubFile(
            "vgg16",
            "timm/vgg16.tv_in1k",
            "3394518cba29aee1ea82a49d971be90d2dd1dab7",
            "57b026918159a6bf9faf8405c3a551903768e7138989d9c6224a14227203fad8",
        ),
        HubFile(
            "vgg16_bn",
            "timm/vgg16_bn.tv_in1k",
            "e00c01e7cee168262dcba6428dc4a8f41e27e965",
            "88bbedbc8e780413736db38ac4efd41b06fc0e93fd5b8879b584bba63a950129",
        ),
        HubFile(
            "vgg19",
            "timm/vgg19.tv_in1k",
            "128d4708565b3a414bcbb9bbad440b2fe37b9f18",
            "11aea017b543ff59233749d8f1cf544cda749378f5790d2fedab841fb86b7669",
        ),
        HubFile(
            "vgg19_bn",
            "timm/vgg19_bn.tv_in1k",
            "5df00d8510c2b1bd2ab67da8b2ef47034f30a7fa",
            "f8249087e63bae61c6166bb23d7c26efe1b2a43fd9fb5cd60ac6ce00535ba312",
        ),
    )
}


@cache
def _weight_bytes(variant: str) -> int:
    return analyze(vgg_spec(variant)).weight_bytes


# ------------------------------------------------------------------ where, and whether online


def cache_dir() -> Path:
    """huggingface_hub's cache, read from the environment now (not at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "huggingface" / "hub"


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def offline() -> bool:
    """``HF_HUB_OFFLINE`` set: use the cache only, never try the network."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def _reachable(url: str, timeout: float) -> None:
    """Name lookup and TCP connect within ``timeout`` (the HTTP client's timeouts cover
    neither a hanging DNS lookup nor its own retries), else a WeightsError."""
    parts = urllib.parse.urlparse(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.create_connection, (host, port), timeout).result(timeout).close()
    except (OSError, FutureTimeout) as exc:
        reason = str(exc) or exc.__class__.__name__
        raise WeightsError.of("hub.err.offline", host=host, reason=reason) from exc
    finally:
        pool.shutdown(wait=False)


# ------------------------------------------------------------------ which file fits a network


def hub_file_for(spec: NetworkSpec) -> HubFile | None:
    """The variant whose trained weights fit ``spec`` exactly: one of the eight VGGs with
    3 input channels, without a head at any size, or with the 1,000-class head (dense at
    224×224, or as convolutions at any size the 7×7 fc1 fits)."""
    variant = _variant_for(spec)
    return HUB_FILES.get(variant) if variant else None


@lru_cache(maxsize=64)
def _variant_for(spec: NetworkSpec) -> str | None:
    if spec.family != "vgg" or spec.input_shape[2] != 3:
        return None
    for file in HUB_FILES.values():
        for top, fcconv in ((False, False), (True, False), (True, True)):
            shape = (224, 224, 3) if top and not fcconv else spec.input_shape
            try:
                candidate = vgg_spec(
                    file.arch, shape, include_top=top, batch_norm=file.batch_norm,
                    fc_as_conv=fcconv,
                )  # fmt: skip
            except InputError:
                continue
            if candidate.layers == spec.layers and candidate.input_shape == spec.input_shape:
                return file.variant
    return None


# ------------------------------------------------------------------ cache and integrity


def cached_path(file: HubFile) -> Path | None:
    """The file in the Hub cache for the pinned revision, or None (no network used)."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        file.repo_id, FILENAME, cache_dir=str(cache_dir()), revision=file.revision
    )
    return Path(found) if isinstance(found, str) and os.path.isfile(found) else None


def expected_sha256(file: HubFile, path: Path) -> str:
    """The pinned SHA-256, else the Hub's: it names the blob the cache stored the file as."""
    if file.sha256:
        return file.sha256
    blob = Path(os.path.realpath(path)).name
    if SHA256.fullmatch(blob):
        return blob
    raise WeightsError.of("hub.err.unverifiable", repo=file.repo_id)


_VERIFIED: dict[tuple[str, int, int], str] = {}
_VERIFY_LOCK = threading.Lock()


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def verify(file: HubFile, path: Path, want: str | None = None) -> Path:
    """Raise unless the file's SHA-256 is ``want`` (default: :func:`expected_sha256`); a bad
    file is deleted so that it is never loaded and the next fetch downloads it again.
    A file that passed is remembered per process (path, size, mtime)."""
    real = Path(os.path.realpath(path))
    stat = real.stat()
    key = (str(real), stat.st_size, stat.st_mtime_ns)
    want = want or expected_sha256(file, path)
    with _VERIFY_LOCK:
        if _VERIFIED.get(key) == want:
            return path
        got = sha256_of(real)
        if got != want:
            _discard(path)
            raise WeightsError.of(
                "hub.err.checksum", repo=file.repo_id, expected=want[:12], found=got[:12]
            )
        _VERIFIED[key] = want
    return path


def _discard(path: Path) -> None:
    """Delete a file that failed its check (a read-only cache keeps it; it is still refused)."""
    real = Path(os.path.realpath(path))
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
        real.unlink(missing_ok=True)


def ready_file(file: HubFile) -> Path:
    """The verified cached file, or a WeightsError saying to fetch it (no network used)."""
    path = cached_path(file)
    if path is None:
        raise WeightsError.of("hub.err.not_cached", repo=file.repo_id, variant=file.variant)
    return verify(file, path)


# ------------------------------------------------------------------ download


@dataclass(frozen=True)
class Progress:
    """Bytes so far, of ``total`` (None while unknown), after ``seconds``."""

    done: int
    total: int | None
    seconds: float

    @property
    def seconds_left(self) -> float | None:
        if not self.total or self.done <= 0 or self.seconds <= 0:
            return None
        return max(0.0, (self.total - self.done) / (self.done / self.seconds))


ProgressCallback = Callable[[Progress], None]


def _bar_class(progress: ProgressCallback | None, draw: bool) -> type:
    """A huggingface_hub progress bar that also reports to ``progress`` (drawn or not)."""
    from huggingface_hub.utils import tqdm as hub_tqdm

    class Bar(hub_tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not draw:
                kwargs["disable"] = True
            self._report_total = kwargs.get("total")
            self._report_done = int(kwargs.get("initial") or 0)
            self._report_start = time.monotonic()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            self._report_done += int(n or 0)
            if progress is not None:
                elapsed = time.monotonic() - self._report_start
                progress(Progress(self._report_done, self._report_total, elapsed))
            return super().update(n)

    return Bar


_LOCKS: dict[str, threading.Lock] = {variant: threading.Lock() for variant in HUB_FILES}


def fetch(
    file: HubFile,
    progress: ProgressCallback | None = None,
    *,
    draw: bool = False,
    timeout: float = CONNECT_TIMEOUT,
) -> Path:
    """The verified file: from the cache, else downloaded (resumed after a dropped
    connection) at the pinned revision. Offline or unreachable: a WeightsError in seconds.

    One download per variant at a time: a second session waits, then finds it cached.
    """
    with _LOCKS.setdefault(file.variant, threading.Lock()):
        path = cached_path(file)
        if path is not None:
            return verify(file, path)
        if offline():
            raise WeightsError.of("hub.err.offline_mode", variant=file.variant)
        _reachable(endpoint(), timeout)
        published = _hub_sha256(file)
        if file.sha256 and published and published != file.sha256:  # refuse before 550 MB
            raise WeightsError.of(
                "hub.err.checksum", repo=file.repo_id, expected=file.sha256[:12],
                found=published[:12],
            )  # fmt: skip
        want = file.sha256 or published
        if want is None:
            raise WeightsError.of("hub.err.unverifiable", repo=file.repo_id)
        return verify(file, _download(file, progress, draw), want)


def _hub_sha256(file: HubFile) -> str | None:
    """The SHA-256 the Hub reports for the file at the pinned revision (its LFS ETag),
    asked once with a short timeout, so a Hub that does not answer fails in seconds."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(file.repo_id, FILENAME, revision=file.revision, endpoint=endpoint())
    try:
        meta = get_hf_file_metadata(url, timeout=ETAG_TIMEOUT)
    except Exception as exc:  # any refusal of the request is one message
        raise _refusal(file, exc) from exc
    etag = (meta.etag or "").strip('"').lower()
    return etag if SHA256.fullmatch(etag) else None


def _refusal(file: HubFile, exc: Exception) -> WeightsError:
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(exc, RepositoryNotFoundError | RevisionNotFoundError | EntryNotFoundError):
        return WeightsError.of("hub.err.not_found", repo=file.repo_id, revision=file.revision[:12])
    if isinstance(exc, HfHubHTTPError):
        return WeightsError.of("hub.err.download_failed", repo=file.repo_id, reason=_reason(exc))
    return WeightsError.of("hub.err.offline", host=endpoint(), reason=_reason(exc))


def _download(file: HubFile, progress: ProgressCallback | None, draw: bool) -> Path:
    from huggingface_hub import hf_hub_download

    log.info("downloading %s@%s into %s", file.repo_id, file.revision, cache_dir())  # operator
    try:
        return Path(
            hf_hub_download(
                file.repo_id,
                FILENAME,
                revision=file.revision,
                cache_dir=str(cache_dir()),
                endpoint=endpoint(),
                etag_timeout=ETAG_TIMEOUT,
                tqdm_class=_bar_class(progress, draw),
            )
        )
    except Exception as exc:  # any failure of the transfer itself (the client has many kinds)
        refusal = _refusal(file, exc)
        if refusal.code == "hub.err.offline":  # it answered the HEAD, then the transfer failed
            reason = _reason(exc)
            refusal = WeightsError.of("hub.err.download_failed", repo=file.repo_id, reason=reason)
        raise refusal from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:200]


# ------------------------------------------------------------------ status for the CLI


@dataclass(frozen=True)
class Status:
    """One variant's line of ``weights status``."""

    variant: str
    source: str
    repo: str
    revision: str
    pinned: bool
    sha256: str | None
    approx_bytes: int
    cached: bool
    path: str | None
    bytes_on_disk: int | None


def status(file: HubFile) -> Status:
    path = cached_path(file)
    return Status(
        variant=file.variant,
        source="torchvision (Hugging Face Hub)",
        repo=file.repo_id,
        revision=file.revision,
        pinned=file.pinned,
        sha256=file.sha256,
        approx_bytes=file.approx_bytes,
        cached=path is not None,
        path=str(path) if path else None,
        bytes_on_disk=path.stat().st_size if path else None,
    )


# ------------------------------------------------------------------ the best trained weights


@dataclass(frozen=True)
class Trained:
    """Trained ImageNet weights that fit a network: Keras' file or the Hub's."""

    kind: Literal["imagenet", "torchvision"]  # the WeightsSource kind that loads them
    approx_bytes: int
    cached: bool
    keras: ImagenetFile | None = None
    hub: HubFile | None = None

    @property
    def digest(self) -> str:
        """Identifies the file for the model cache."""
        if self.hub is not None:
            return f"{self.hub.repo_id}@{self.hub.revision}"
        assert self.keras is not None
        return self.keras.path.name


def trained_options(spec: NetworkSpec) -> list[Trained]:
    """Every trained source that fits ``spec``, Keras' own file first where it exists."""
    out: list[Trained] = []
    try:
        keras = imagenet_file(spec)
        out.append(Trained("imagenet", keras.approx_bytes, keras.cached, keras=keras))
    except WeightsError:
        pass
    hub = hub_file_for(spec)
    if hub is not None:
        out.append(Trained("torchvision", hub.approx_bytes, cached_path(hub) is not None, hub=hub))
    return out


def best_trained(spec: NetworkSpec, kind: str = "imagenet") -> Trained | None:
    """``imagenet``: the preferred source already on disk, else the preferred one to fetch;
    ``torchvision``: the Hub's file. None when no trained weights fit ``spec``."""
    options = [o for o in trained_options(spec) if kind == "imagenet" or o.kind == kind]
    return next((o for o in options if o.cached), options[0] if options else None)


def fetch_trained(
    trained: Trained, progress: ProgressCallback | None = None, timeout: float = CONNECT_TIMEOUT
) -> Path:
    """Download either source with one progress callback."""
    if trained.hub is not None:
        return fetch(trained.hub, progress, timeout=timeout)
    assert trained.keras is not None
    start = time.monotonic()

    def relay(done: int, total: int | None) -> None:
        if progress is not None:
            progress(Progress(done, total, time.monotonic() - start))

    if offline():
        raise WeightsError.of("hub.err.offline_mode", variant=trained.keras.arch)
    return download_imagenet(trained.keras, relay, timeout)


# ------------------------------------------------------------------ downloads that outlive a rerun


@dataclass
class Job:
    """A download running in the background, shared by every session that waits for it:
    a rerun or a closed tab does not stop it, and a second click does not start another."""

    trained: Trained
    progress: Progress | None = None
    error: WeightsError | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)  # first byte, or done

    def report(self, progress: Progress) -> None:
        self.progress = progress
        self.started.set()


_JOBS: dict[str, Job] = {}
_JOBS_LOCK = threading.Lock()


def download_job(trained: Trained) -> Job | None:
    """The download of these weights that is running or has just ended, if any."""
    with _JOBS_LOCK:
        return _JOBS.get(trained.digest)


def start_download(trained: Trained) -> Job:
    """Start fetching in a background thread (or join the one already running)."""
    with _JOBS_LOCK:
        job = _JOBS.get(trained.digest)
        if job is not None and not (job.finished.is_set() and job.error is not None):
            return job
        job = _JOBS[trained.digest] = Job(trained)

    def work() -> None:
        try:
            fetch_trained(trained, job.report)
        except WeightsError as error:
            job.error = error
        except Exception as exc:  # a thread must not die silently: one message
            job.error = WeightsError.of(
                "hub.err.download_failed", repo=trained.digest, reason=_reason(exc)
            )
        finally:
            job.finished.set()
            job.started.set()

    threading.Thread(target=work, name=f"fetch {trained.digest}", daemon=True).start()
    return job


def forget(job: Job) -> None:
    """Drop an ended job so the next visit offers the download again (or finds the file)."""
    with _JOBS_LOCK:
        if _JOBS.get(job.trained.digest) is job:
            del _JOBS[job.trained.digest]
