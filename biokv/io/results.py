"""Writing results: atomic files and provenance attributes."""

from __future__ import annotations

import datetime as _dt
import os
import sys
import threading
import uuid
from importlib import metadata
from pathlib import Path

import numpy as np
import xarray as xr

import biokv

__all__ = ["provenance", "provenance_line", "check_writable_dir", "atomic_write_text", "write_dataset", "save_figure",
           "read_dataset"]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance() -> dict:
    """Versions of biokv and of the libraries that determine its numbers."""
    return {"biokv_version": biokv.__version__, "numpy_version": np.__version__,
            "brian2_version": _version("brian2"), "numba_version": _version("numba"),
            "xarray_version": xr.__version__}


def provenance_line(ds: xr.Dataset) -> str:
    """One line for a summary: the versions a result was computed with and its full configuration."""
    return (f"biokv {ds.attrs.get('biokv_version')}, numpy {ds.attrs.get('numpy_version')}, "
            f"brian2 {ds.attrs.get('brian2_version')}. Configuration: `{ds.attrs.get('config')}`")


def check_writable_dir(path, name: str = "out_dir") -> Path:
    """Create folder ``path`` (with its parents) and check that a file can be written in it, before any work.

    Raises
    ------
    biokv.config.ConfigError
        One line naming ``name``, the path and the reason.
    """
    from biokv.config import ConfigError

    path = Path(path)
    probe = path / f".biokv-write-test.{os.getpid()}.{uuid.uuid4().hex}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as err:
        raise ConfigError(f"{name}={str(path)!r}: cannot create or write this folder "
                          f"({err.strerror or err})") from None
    return path


def _atomic(path: Path, write) -> Path:
    """Write through ``write(temporary path)`` beside ``path``, then rename: never a half-written file.

    The temporary file is created by the writer itself, as an ordinary write would create it, so that the result
    gets the permissions of the user's umask (readable by colleagues on a shared file system, say).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    try:
        write(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it (never a half-written file)."""
    return _atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


# the HDF5 library under netCDF4 is not thread-safe: one NetCDF file operation at a time per process (threads of a
# Dask worker write task results concurrently)
_NETCDF_LOCK = threading.Lock()


def write_dataset(ds: xr.Dataset, path) -> Path:
    """Write a Dataset to NetCDF atomically."""
    def write(tmp):
        with _NETCDF_LOCK:
            ds.to_netcdf(tmp, engine="netcdf4")

    return _atomic(path, write)


def read_dataset(path) -> xr.Dataset:
    """Load a result file fully into memory (the file is closed on return)."""
    with _NETCDF_LOCK, xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()


def save_figure(fig, path, dpi: int = 130) -> Path:
    """Save a matplotlib figure atomically (and close it, if pyplot manages it)."""
    fmt = Path(path).suffix.lstrip(".") or "png"
    try:
        return _atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=fmt, bbox_inches="tight"))
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
