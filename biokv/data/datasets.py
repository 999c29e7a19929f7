"""Two-class classification tasks from small image data sets (nothing is ever downloaded).

Data sets
---------
``"digits"``
    scikit-learn's bundled 8 x 8 handwritten digits (:func:`sklearn.datasets.load_digits`: 1,797 images, 10
    classes, pixel values 0..16, shipped with scikit-learn). It has no test set of its own: :func:`make_task`
    splits each class of each run at random (stratified: the same number of test images per class in every
    run).
``"mnist"``, ``"fashion-mnist"``
    28 x 28 images, 60,000 for training and 10,000 for testing (the official split, the same in every run),
    pixel values 0..255, read from local files under ``data_dir``. They are looked for in this order:

    1. ``data_dir/<name>/`` holding the four IDX files of the original distributions, each plain or gzipped
       (``.gz``): ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
       ``t10k-labels-idx1-ubyte`` (also the layout of Keras's ``fashion-mnist`` cache folder);
    2. ``data_dir/MNIST/raw/`` or ``data_dir/FashionMNIST/raw/`` with the same files (torchvision's layout);
    3. ``data_dir/<name>.npz`` with the arrays ``x_train``, ``y_train``, ``x_test``, ``y_test`` (as in Keras's
       ``mnist.npz``).

Pixels are scaled to [0, 1] (divided by 16 for digits, by 255 for 8-bit images; floating-point images must
already lie in [0, 1]) and each image is flattened to a float64 vector.
"""

from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["DATASETS", "IDX_FILES", "ImageData", "TwoClassTask", "read_idx", "locate", "load_images",
           "stratified_split", "make_task", "input_size"]

DATASETS = ("digits", "mnist", "fashion-mnist")
IDX_FILES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
TORCHVISION_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
_INPUT_SIZES = {"digits": 64, "mnist": 784, "fashion-mnist": 784}

# IDX type codes (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"): all multi-byte values big-endian
_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def _check_name(name: str):
    if name not in DATASETS:
        raise ValueError(f"dataset={name!r} is not allowed: must be one of {', '.join(DATASETS)}")


def input_size(name: str) -> int:
    """Pixels per image of a data set (64 for digits, 784 for MNIST and Fashion-MNIST)."""
    _check_name(name)
    return _INPUT_SIZES[name]


# ---------------------------------------------------------------------------------------------- files
def read_idx(path) -> np.ndarray:
    """Read an IDX file (plain, or gzipped when its name ends in ``.gz``) into an array of its shape.

    Raises
    ------
    ValueError
        The bytes are not a well-formed IDX file (the message says what is wrong).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as err:  # gzip errors are OSError / EOFError
        raise ValueError(f"{str(path)!r} could not be read as {'gzip' if opener is gzip.open else 'IDX'}: {err}"
                         ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{str(path)!r} is not an IDX file: it must start with two zero bytes, a type code and "
                         "the number of dimensions")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_TYPES:
        raise ValueError(f"{str(path)!r}: unknown IDX type code 0x{code:02X} (allowed: "
                         f"{', '.join(f'0x{c:02X}' for c in _IDX_TYPES)})")
    if ndim < 1 or len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{str(path)!r}: truncated IDX header ({ndim} dimensions)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[code]
    need = int(np.prod(shape)) * dtype.itemsize
    have = len(raw) - 4 - 4 * ndim
    if have != need:
        raise ValueError(f"{str(path)!r}: the header declares shape {shape} ({need} bytes of data) but the file "
                         f"holds {have} bytes of data")
    return np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim).reshape(shape).astype(dtype.newbyteorder("="))


def _idx_folder(folder: Path):
    """{key: path} when ``folder`` holds all four IDX files (plain preferred over .gz), else None."""
    found = {}
    for key, stem in IDX_FILES.items():
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.is_file():
                found[key] = candidate
                break
    return found if len(found) == len(IDX_FILES) else None


def locate(name: str, data_dir) -> dict | Path:
    """Where the files of ``name`` (``"mnist"`` or ``"fashion-mnist"``) are under ``data_dir``.

    Returns
    -------
    dict or Path
        ``{"x_train": path, ...}`` of the four IDX files, or the ``.npz`` file.

    Raises
    ------
    FileNotFoundError
        Nothing usable was found; the message lists every place looked at and what is expected there.
    """
    _check_name(name)
    if name == "digits":
        raise ValueError("dataset 'digits' is bundled with scikit-learn and has no files to locate")
    if not data_dir:
        raise FileNotFoundError(f"dataset {name!r} is read from local files, but no data_dir was given: set "
                                f"data_dir to the folder that holds {name}/ or {name}.npz")
    root = Path(data_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"data_dir {str(root)!r} does not exist or is not a folder")
    folders = [root / name, root / TORCHVISION_FOLDERS[name] / "raw"]
    partial = []
    for folder in folders:
        found = _idx_folder(folder)
        if found:
            return found
        if folder.is_dir():
            have = {k for k, stem in IDX_FILES.items() if (folder / stem).is_file() or (folder / f"{stem}.gz")
                    .is_file()}
            missing = [IDX_FILES[k] + "[.gz]" for k in IDX_FILES if k not in have]
            partial.append(f"{str(folder)!r} lacks {', '.join(missing)}")
    npz = root / f"{name}.npz"
    if npz.is_file():
        return npz
    expected = ", ".join(s + "[.gz]" for s in IDX_FILES.values())
    raise FileNotFoundError(
        f"dataset {name!r} not found under data_dir {str(root)!r}: expected the IDX files {expected} in "
        f"{str(folders[0])!r} (or {str(folders[1])!r}), or {str(npz)!r} with arrays "
        f"{', '.join(NPZ_KEYS)}" + (f"; {'; '.join(partial)}" if partial else ""))


def _scale_images(x: np.ndarray, what: str) -> np.ndarray:
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"{what} must hold one or more images (shape (n, height, width) or (n, pixels)), got "
                         f"shape {x.shape}")
    if np.issubdtype(x.dtype, np.integer):
        if x.min() < 0 or x.max() > 255:
            raise ValueError(f"{what}: integer pixel values must be in [0, 255], got [{x.min()}, {x.max()}]")
        out = x.reshape(x.shape[0], -1).astype(np.float64) / 255.0
    elif np.issubdtype(x.dtype, np.floating):
        if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
            raise ValueError(f"{what}: floating-point pixel values must be finite and in [0, 1]")
        out = x.reshape(x.shape[0], -1).astype(np.float64)
    else:
        raise ValueError(f"{what}: pixel values must be numbers, got dtype {x.dtype}")
    return out


def _check_label_array(y: np.ndarray, n: int, what: str) -> np.ndarray:
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{what} must be a vector of {n} labels (one per image), got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{what} must be integers, got dtype {y.dtype}")
    if n and (y.min() < 0 or y.max() > 9):
        raise ValueError(f"{what} must be in [0, 9], got values in [{y.min()}, {y.max()}]")
    return y.astype(np.int64)


# ---------------------------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class ImageData:
    """A labelled image data set, pixels in [0, 1], images flattened.

    Attributes
    ----------
    name : str
    source : str
        Where the data came from (the files read, or scikit-learn).
    x_train : float64 (n_train, pixels)
    y_train : int64 (n_train,)
    x_test, y_test : arrays, or None when the data set has no test split of its own (digits)
    """

    name: str
    source: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


@lru_cache(maxsize=1)
def _digits() -> ImageData:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = bunch.data.astype(np.float64) / 16.0
    return ImageData("digits", "sklearn.datasets.load_digits (bundled with scikit-learn)", x,
                     bunch.target.astype(np.int64))


def load_images(name: str, data_dir="", classes=None) -> ImageData:
    """Load a data set (see the module documentation for the files looked for under ``data_dir``).

    ``classes``: keep only the images of these classes (before converting pixels to float64, which saves
    memory for MNIST-size data); default all.

    Raises
    ------
    FileNotFoundError
        ``mnist`` / ``fashion-mnist`` files are absent (the message says what is expected where).
    ValueError
        A file is malformed (wrong format, shapes, labels or pixel range).
    """
    _check_name(name)
    keep = None if classes is None else [int(c) for c in classes]
    if name == "digits":
        data = _digits()
        if keep is None:
            return data
        mask = np.isin(data.y_train, keep)
        return ImageData(data.name, data.source, data.x_train[mask], data.y_train[mask])
    where = locate(name, data_dir)
    if isinstance(where, dict):
        arrays = {k: read_idx(p) for k, p in where.items()}
        source = ", ".join(str(p) for p in where.values())
    else:
        try:
            with np.load(where, allow_pickle=False) as npz:
                missing = [k for k in NPZ_KEYS if k not in npz.files]
                if missing:
                    raise ValueError(f"{str(where)!r} lacks the arrays {', '.join(missing)} (expected "
                                     f"{', '.join(NPZ_KEYS)}; it holds {', '.join(npz.files) or 'nothing'})")
                arrays = {k: npz[k] for k in NPZ_KEYS}
        except (OSError, zipfile.BadZipFile) as err:
            raise ValueError(f"{str(where)!r} could not be read as a .npz file: {err}") from None
        source = str(where)
    out = {}
    for part in ("train", "test"):
        x, y = np.asarray(arrays[f"x_{part}"]), np.asarray(arrays[f"y_{part}"])
        if x.ndim < 2:
            raise ValueError(f"{name} x_{part} must hold images (shape (n, height, width) or (n, pixels)), got "
                             f"shape {x.shape}")
        y = _check_label_array(y, x.shape[0], f"{name} y_{part}")
        if keep is not None:
            mask = np.isin(y, keep)
            x, y = x[mask], y[mask]
        out[f"x_{part}"], out[f"y_{part}"] = _scale_images(x, f"{name} x_{part}"), y
    if out["x_train"].shape[1] != out["x_test"].shape[1]:
        raise ValueError(f"{name}: training images have {out['x_train'].shape[1]} pixels but test images "
                         f"{out['x_test'].shape[1]}")
    return ImageData(name, source, out["x_train"], out["y_train"], out["x_test"], out["y_test"])


# ---------------------------------------------------------------------------------------------- tasks
def stratified_split(labels, test_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random train/test split keeping each class's share: ``round(test_fraction * n_c)`` test items of class
    ``c`` (at least one of each set per class).

    Returns
    -------
    train, test : int64 arrays of indices into ``labels``, each sorted
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty vector, got shape {labels.shape}")
    f = float(test_fraction)
    if not 0.0 < f < 1.0:
        raise ValueError(f"test_fraction={test_fraction!r} is out of range: must be in (0, 1)")
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(f * idx.size))
        if n_test < 1 or n_test > idx.size - 1:
            raise ValueError(f"test_fraction={test_fraction} leaves class {c} ({idx.size} items) without a "
                             f"training or a test item")
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


@dataclass(frozen=True)
class TwoClassTask:
    """A classification task on a few classes of one data set, its labels mapped to network outputs.

    Attributes
    ----------
    dataset : str
    classes : tuple of int
        Original class labels; class ``classes[i]`` is network output ``outputs[i]``.
    outputs : tuple of int
    x_train : float64 (n_train, pixels) shared by all runs, or (R, n_train, pixels)
    y_train : int64 (n_train,) or (R, n_train): network outputs
    x_test, y_test : likewise for the test set
    """

    dataset: str
    classes: tuple
    outputs: tuple
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_train(self) -> int:
        return self.x_train.shape[-2]

    @property
    def n_test(self) -> int:
        return self.x_test.shape[-2]

    @property
    def n_inputs(self) -> int:
        return self.x_train.shape[-1]


def make_task(data: ImageData, classes, first_output: int, rngs=None, test_fraction: float = 0.3) -> TwoClassTask:
    """The task of telling ``classes`` apart, class ``classes[i]`` being network output ``first_output + i``.

    Parameters
    ----------
    data : ImageData
    classes : sequence of int
        Two or more distinct labels present in ``data``.
    first_output : int
        >= 0.
    rngs : sequence of numpy.random.Generator, optional
        Needed when ``data`` has no test split (digits): run ``r`` gets its own stratified split drawn from
        ``rngs[r]``, and the arrays get a leading run axis. Ignored otherwise (the official split is shared).
    test_fraction : float
        Share of each class held out for testing when splitting, in (0, 1).
    """
    classes = tuple(int(c) for c in classes)
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise ValueError(f"classes={classes} must be two or more distinct labels")
    present = set(np.unique(data.y_train).tolist())
    absent = [c for c in classes if c not in present]
    if absent:
        raise ValueError(f"classes={classes}: {data.name} has no images of class {absent[0]} (it has "
                         f"{sorted(present)})")
    if isinstance(first_output, bool) or not isinstance(first_output, (int, np.integer)) or first_output < 0:
        raise ValueError(f"first_output={first_output!r} is out of range: must be an integer >= 0")
    outputs = tuple(first_output + i for i in range(len(classes)))
    relabel = np.full(10, -1, dtype=np.int64)
    relabel[list(classes)] = outputs

    def select(x, y):
        keep = np.isin(y, classes)
        return x[keep], relabel[y[keep]]

    if data.x_test is not None:
        x_train, y_train = select(data.x_train, data.y_train)
        x_test, y_test = select(data.x_test, data.y_test)
        if x_test.shape[0] == 0:
            raise ValueError(f"classes={classes}: {data.name} has no test images of these classes")
        return TwoClassTask(data.name, classes, outputs, x_train, y_train, x_test, y_test)
    if rngs is None or len(list(rngs)) == 0:
        raise ValueError(f"{data.name} has no test split of its own: give rngs (one generator per run) to split it")
    x, y = select(data.x_train, data.y_train)
    parts = [stratified_split(y, test_fraction, rng) for rng in rngs]
    return TwoClassTask(data.name, classes, outputs, np.stack([x[tr] for tr, _ in parts]),
                        np.stack([y[tr] for tr, _ in parts]), np.stack([x[te] for _, te in parts]),
                        np.stack([y[te] for _, te in parts]))
