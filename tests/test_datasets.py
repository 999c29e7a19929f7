import gzip
import struct

import numpy as np
import pytest

from biokv.data.datasets import ImageData, load_images, locate, make_task, read_idx, stratified_split


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
    """An IDX file by hand: two zero bytes, type code, rank, big-endian uint32 sizes, big-endian data."""
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    big = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}[code]
    return header + array.astype(big).tobytes()


def _fake_images(n_per_class, classes, seed, side=5):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.asarray(classes, dtype=np.uint8), n_per_class)
    x = rng.integers(0, 256, (y.size, side, side), dtype=np.uint8)
    return x, y


def _write_idx_folder(folder, gz=False, seed=0, classes=(0, 1, 2, 3)):
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for part, n in (("train", 6), ("t10k", 3)):
        x, y = _fake_images(n, classes, seed + len(part))
        arrays[part] = (x, y)
        for kind, arr, code in (("images-idx3", x, 0x08), ("labels-idx1", y, 0x08)):
            name = folder / f"{part}-{kind}-ubyte{'.gz' if gz else ''}"
            raw = _idx_bytes(arr, code)
            name.write_bytes(gzip.compress(raw) if gz else raw)
    return arrays


# ---------------------------------------------------------------------------------------------- IDX files
@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip_of_hand_written_files(tmp_path, gz):
    rng = np.random.default_rng(0)
    cases = {"u8": (rng.integers(0, 256, (4, 3, 2)).astype(np.uint8), 0x08),
             "i16": (rng.integers(-3000, 3000, (5,)).astype(np.int16), 0x0B),
             "f32": (rng.normal(size=(2, 3)).astype(np.float32), 0x0D)}
    for name, (arr, code) in cases.items():
        path = tmp_path / (name + (".gz" if gz else ""))
        raw = _idx_bytes(arr, code)
        path.write_bytes(gzip.compress(raw) if gz else raw)
        got = read_idx(path)
        assert got.shape == arr.shape
        np.testing.assert_array_equal(got, arr)


def test_malformed_idx_files_fail_clearly(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x02ab")
    with pytest.raises(ValueError, match="is not an IDX file"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(_idx_bytes(np.arange(6, dtype=np.uint8), 0x08)[:-2])
    with pytest.raises(ValueError, match=r"declares shape \(6,\) \(6 bytes of data\) but the file holds 4"):
        read_idx(short)
    code = tmp_path / "code"
    code.write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01a")
    with pytest.raises(ValueError, match="unknown IDX type code 0x07"):
        read_idx(code)
    notgz = tmp_path / "x.gz"
    notgz.write_bytes(b"plain")
    with pytest.raises(ValueError, match="could not be read as gzip"):
        read_idx(notgz)


# ---------------------------------------------------------------------------------------------- MNIST-style sets
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_from_an_idx_folder(tmp_path, gz):
    arrays = _write_idx_folder(tmp_path / "mnist", gz=gz)
    data = load_images("mnist", tmp_path)
    x, y = arrays["train"]
    assert data.x_train.shape == (24, 25) and data.x_test.shape == (12, 25)
    np.testing.assert_array_equal(data.x_train, x.reshape(24, 25) / 255.0)
    np.testing.assert_array_equal(data.y_train, y)
    assert data.x_train.dtype == np.float64
    kept = load_images("mnist", tmp_path, classes=(1, 3))
    np.testing.assert_array_equal(kept.y_test, np.repeat([1, 3], 3))
    np.testing.assert_array_equal(kept.x_train, data.x_train[np.isin(data.y_train, (1, 3))])


def test_fashion_mnist_from_torchvision_layout_and_mnist_from_npz(tmp_path):
    arrays = _write_idx_folder(tmp_path / "FashionMNIST" / "raw", seed=5)
    fashion = load_images("fashion-mnist", tmp_path)
    np.testing.assert_array_equal(fashion.y_test, arrays["t10k"][1])
    x, y = _fake_images(4, range(10), 3, side=6)
    xt, yt = _fake_images(2, range(10), 4, side=6)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    assert locate("mnist", tmp_path) == tmp_path / "mnist.npz"
    mnist = load_images("mnist", tmp_path)
    np.testing.assert_array_equal(mnist.x_test, xt.reshape(20, 36) / 255.0)
    np.testing.assert_array_equal(mnist.y_train, y)


def test_missing_files_name_what_is_expected(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"dataset 'mnist' not found .*train-images-idx3-ubyte\[\.gz\].*"
                                                r"mnist\.npz"):
        locate("mnist", tmp_path)
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"lacks train-labels-idx1-ubyte\[\.gz\], t10k-images"):
        load_images("fashion-mnist", tmp_path)
    with pytest.raises(FileNotFoundError, match="no data_dir was given"):
        load_images("mnist", "")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        locate("mnist", tmp_path / "nowhere")
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 4), np.uint8), y_train=np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="lacks the arrays x_test, y_test"):
        load_images("mnist", tmp_path)
    with pytest.raises(ValueError, match="dataset='cifar' is not allowed"):
        load_images("cifar", tmp_path)


def test_bad_labels_and_pixels_fail_clearly(tmp_path):
    x = np.zeros((3, 4), np.uint8)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=np.array([0, 1, 12]), x_test=x, y_test=np.zeros(3, int))
    with pytest.raises(ValueError, match=r"mnist y_train must be in \[0, 9\]"):
        load_images("mnist", tmp_path)
    np.savez(tmp_path / "mnist.npz", x_train=x + 2.0, y_train=np.zeros(3, int), x_test=x, y_test=np.zeros(3, int))
    with pytest.raises(ValueError, match=r"floating-point pixel values must be finite and in \[0, 1\]"):
        load_images("mnist", tmp_path)


# ---------------------------------------------------------------------------------------------- digits and tasks
def test_digits_are_bundled_and_scaled():
    data = load_images("digits")
    assert data.x_train.shape == (1797, 64) and data.x_test is None
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    assert sorted(np.unique(data.y_train)) == list(range(10))


def test_stratified_split_keeps_class_shares():
    labels = np.repeat([4, 7, 9], [10, 20, 7])
    train, test = stratified_split(labels, 0.3, np.random.default_rng(0))
    assert np.intersect1d(train, test).size == 0 and np.union1d(train, test).size == labels.size
    np.testing.assert_array_equal(np.bincount(labels[test])[[4, 7, 9]], [3, 6, 2])
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    other = stratified_split(labels, 0.3, np.random.default_rng(1))[1]
    assert not np.array_equal(test, other)
    with pytest.raises(ValueError, match=r"test_fraction=1.0 is out of range: must be in \(0, 1\)"):
        stratified_split(labels, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="leaves class 4 \\(10 items\\)"):
        stratified_split(labels, 0.05, np.random.default_rng(0))


def test_digits_task_is_split_per_run_and_relabelled():
    rngs = [np.random.default_rng(r) for r in range(3)]
    task = make_task(load_images("digits"), (2, 3), 2, rngs, 0.3)
    # digits has 177 twos and 183 threes: round(0.3 n) of each held out
    assert task.x_train.shape == (3, 360 - 53 - 55, 64) and task.x_test.shape == (3, 108, 64)
    assert task.outputs == (2, 3)
    for r in range(3):
        np.testing.assert_array_equal(np.bincount(task.y_test[r], minlength=4), [0, 0, 53, 55])
    assert not np.array_equal(task.x_test[0], task.x_test[1])
    digits = load_images("digits")
    twos = digits.x_train[digits.y_train == 2]
    # every training "2" of run 0 is a real 2, and train and test of a run are different images
    assert all(np.any(np.all(twos == row, axis=1)) for row in task.x_train[0][task.y_train[0] == 2])
    with pytest.raises(ValueError, match="give rngs"):
        make_task(digits, (0, 1), 0)


def test_task_from_an_official_split_is_shared_by_all_runs():
    rng = np.random.default_rng(0)
    data = ImageData("mnist", "test", rng.uniform(size=(30, 4)), np.arange(30) % 5, rng.uniform(size=(10, 4)),
                     np.arange(10) % 5)
    task = make_task(data, (3, 1), 4)
    assert task.x_train.shape == (12, 4) and task.outputs == (4, 5)
    np.testing.assert_array_equal(task.y_train, np.where(data.y_train[np.isin(data.y_train, (1, 3))] == 3, 4, 5))
    with pytest.raises(ValueError, match="has no images of class 7"):
        make_task(data, (0, 7), 0)
    with pytest.raises(ValueError, match="two or more distinct labels"):
        make_task(data, (2, 2), 0)
