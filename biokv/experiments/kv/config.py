"""Configurations of the key-value memory experiments of Gershman, Fiete & Irie (2025): ``kv-optimization``
(:class:`KVOptimizationConfig`, their Fig. 2) and ``forgetting-reactivation`` (:class:`ForgettingConfig`, their
Fig. 3).

Only the standard library and :mod:`biokv.config` are imported here, so that registering the experiments is
cheap; checking a data folder imports :mod:`biokv.data.datasets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from biokv.config import ConfigError, param

__all__ = ["PAPER", "DUAL_FORM", "DATASET_NAMES", "TASKS", "RECORDS", "AUTO_DATASETS", "KVOptimizationConfig",
           "ForgettingConfig"]

PAPER = "Gershman, Fiete & Irie (2025), Key-value memory in the brain"
DUAL_FORM = "Irie, Csordas & Schmidhuber (2022), The dual form of neural networks revisited"
DATASET_NAMES = ("digits", "mnist", "fashion-mnist")  # the data sets of biokv.data.datasets (DATASETS)
TASKS = ("task1", "task2")
RECORDS = ("auto", "examples", "tasks")
AUTO_DATASETS = {"task1": ("digits", "mnist"), "task2": ("digits", "fashion-mnist")}  # (no data_dir, data_dir)


@dataclass
class KVOptimizationConfig:
    """Events of 2 or 3 classes with trainable keys and values, optimised with Adam for retrieval."""

    classes: tuple[int, ...] = param((2, 3), "numbers of classes, one optimisation each (class features (0, 1), "
                                     "(1, 0), (1, 1) in that order)", low=2, high=3,
                                     source=f"{PAPER}, Fig. 2A (2 classes) and 2B (3 classes)")
    events_per_class: int = param(100, "events per class", low=2,
                                  source=f"{PAPER}, Fig. 2: 200 events (2 classes) and 300 events (3 classes)")
    n_steps: int = param(10000, "Adam steps (full batch)", low=1, source=f"{PAPER}, Fig. 2: 5,000-10,000 steps")
    learning_rate: float = param(3e-4, "Adam learning rate", low=0.0, low_open=True, source=f"{PAPER}, Fig. 2")
    runs: int = param(5, "independent initialisations per number of classes (batched)", low=1,
                      source="biokv's choice (the figure shows one optimisation)")
    record_every: int = param(50, "record keys, values and measures every this many steps (and after the last)",
                              low=1, source="biokv's choice")
    include_self: bool = param(True, "the softmax of an event's query includes its own key",
                               source="biokv's reading: each event's key is its query, so its own key is one of "
                                      "the keys retrieved from")

    def check(self):
        if not self.classes or len(set(self.classes)) != len(self.classes):
            raise ConfigError(f"classes={self.classes} must be one or more distinct values")


@dataclass
class ForgettingConfig:
    """Sequential training on two tasks, the dual form of every SGD step, and the Task-1 key scaling beta."""

    data_dir: str = param("", "folder of local MNIST / Fashion-MNIST files (layouts: biokv.data.datasets); empty: "
                          "none, the bundled scikit-learn digits are used")
    task1_dataset: str = param("auto", "data set of Task 1 (auto: digits without data_dir, mnist with it)",
                               choices=("auto",) + DATASET_NAMES,
                               source=f"{PAPER}, Fig. 3 caption: Task 1 from MNIST")
    task2_dataset: str = param("auto", "data set of Task 2 (auto: digits without data_dir, fashion-mnist with it)",
                               choices=("auto",) + DATASET_NAMES,
                               source=f"{PAPER}, Fig. 3 caption: Task 2 from Fashion-MNIST")
    task1_classes: tuple[int, ...] = param((0, 1), "classes of Task 1 (network outputs 0, 1, ...)", low=0, high=9,
                                           source="biokv's choice (two classes per task; the paper does not say "
                                                  "which)")
    task2_classes: tuple[int, ...] = param((2, 3), "classes of Task 2 (the outputs after Task 1's)", low=0, high=9,
                                           source="biokv's choice (for Fashion-MNIST: pullover vs dress)")
    test_fraction: float = param(0.3, "share of each class held out for testing, per run (digits only; MNIST and "
                                 "Fashion-MNIST use their official test sets)", low=0.0, high=1.0, low_open=True,
                                 high_open=True, source="biokv's choice")
    n_hidden: int = param(64, "hidden ReLU units", low=1, source="biokv's choice (one hidden layer: "
                          f"{PAPER}, Fig. 3)")
    task1_epochs: int = param(5, "epochs of Task 1", low=1, source=f"{PAPER}, Fig. 3A: switch after epoch 5")
    task2_epochs: int = param(5, "epochs of Task 2 (no Task-1 data)", low=1, source=f"{PAPER}, Fig. 3A: 10 epochs")
    batch_size: int = param(128, "mini-batch size (the last batch of an epoch may be smaller)", low=1,
                            source="biokv's choice")
    learning_rate: float = param(0.2, "SGD learning rate (no momentum, no weight decay)", low=0.0, low_open=True,
                                 source="biokv's choice for digits: Task 1 is learnt (0.999) and then forgotten "
                                        "(0.000), Task 2 learnt (0.95); 0.02-0.05 learn too slowly, >= 0.3 "
                                        "unstably")
    n_runs: int = param(5, "independent runs (own initial weights, data order and digits split)", low=2)
    beta_max: float = param(3.0, "largest scale beta of the Task-1 key-value pairs", low=0.0, low_open=True,
                            source=f"{PAPER}, Fig. 3B: beta from 0 to 3")
    beta_points: int = param(31, "points of the beta grid, evenly spaced from 0 to beta_max", low=2)
    records: str = param("auto", "what the dual form keeps: every example's keys and values ('examples'), or "
                         "per-task sums of outer products only ('tasks'); auto: examples up to 1 GiB",
                         choices=RECORDS, source=f"{DUAL_FORM}: W = W0 + sum_t e_t k_t^T")

    def datasets(self) -> tuple[str, str]:
        """The data sets of Task 1 and Task 2 ("auto" resolved)."""
        out = []
        for task, chosen in (("task1", self.task1_dataset), ("task2", self.task2_dataset)):
            out.append(AUTO_DATASETS[task][bool(self.data_dir)] if chosen == "auto" else chosen)
        return out[0], out[1]

    def check(self):
        from biokv.data.datasets import input_size, locate

        for name in ("task1_classes", "task2_classes"):
            classes = getattr(self, name)
            if len(classes) < 2 or len(set(classes)) != len(classes):
                raise ConfigError(f"{name}={classes} is not allowed: must be two or more distinct classes")
        d1, d2 = self.datasets()
        if input_size(d1) != input_size(d2):
            raise ConfigError(f"task1_dataset={d1!r} and task2_dataset={d2!r} have images of different sizes "
                              f"({input_size(d1)} and {input_size(d2)} pixels): one network cannot take both")
        if d1 == d2 and set(self.task1_classes) & set(self.task2_classes):
            raise ConfigError(f"task1_classes={self.task1_classes} and task2_classes={self.task2_classes} share "
                              f"classes of the same data set ({d1}): the tasks must be disjoint")
        if self.data_dir and not Path(self.data_dir).is_dir():
            raise ConfigError(f"data_dir={self.data_dir!r} does not exist or is not a folder")
        for d in [d for d in dict.fromkeys((d1, d2)) if d != "digits"]:
            try:
                locate(d, self.data_dir)
            except FileNotFoundError as err:
                raise ConfigError(f"data_dir={self.data_dir!r}: {err}") from None
