"""What every circuit component shares: a Brian2 object that holds others, unit checks, connectivity draws.

A component is a named container of Brian2 objects (its groups, synapses and nested components):
``Network(component)`` or ``net.add(component)`` adds them all, since Brian2 adds the contents of any container.
Pass components to your network explicitly: :func:`brian2.collect` finds only Brian objects in the caller's frame.
(A component is not itself a ``BrianObject`` with ``contained_objects``: Brian2's standalone devices register only
a network's top-level synapses, so synapses nested in another object would not be compiled.) Components never
change the device, the preferences or the default clock: whoever runs the simulation chooses those.
"""

from __future__ import annotations

import numpy as np
from brian2 import Quantity
from brian2.core.names import Nameable
from brian2.units.fundamentalunits import DIMENSIONLESS, get_dimensions, have_same_dimensions

__all__ = ["Component", "check_quantity", "neurons_of", "draw_fan_in", "draw_fan_out", "as_generator"]


class Component(Nameable):
    """A named container of the groups and synapses of one circuit element.

    Its objects are named after it (``name="dg*"`` lets Brian2 number instances), so that two circuits fit in one
    network. Pass the component to :class:`brian2.Network` (or ``net.add``) next to your own objects; iterating
    over it yields its objects and nested components.

    Attributes
    ----------
    contained_objects : list
        The Brian2 objects and components it holds, in the order they were created.
    """

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        super().__init__(name=name)
        self.contained_objects = []

    def _add(self, obj):
        self.contained_objects.append(obj)
        return obj

    def __iter__(self):
        return iter(self.contained_objects)

    def __len__(self):
        return len(self.contained_objects)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}: {', '.join(o.name for o in self.contained_objects)}>"


def check_quantity(name: str, value, unit, positive: bool = True, allow_zero: bool = False):
    """``value`` as a quantity with the dimensions of ``unit`` (a one-line ``ValueError`` naming ``name``
    otherwise); ``positive`` also asks for a value > 0 (or >= 0 with ``allow_zero``)."""
    dims = get_dimensions(unit)
    if dims is DIMENSIONLESS:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) and not (
                isinstance(value, Quantity) and value.is_dimensionless):
            raise ValueError(f"{name} must be a number, got {value!r}")
    elif not isinstance(value, Quantity) or not have_same_dimensions(value, unit):
        raise ValueError(f"{name} must be a quantity with the unit of {unit!r}, got {value!r}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and (v < 0 or (v == 0 and not allow_zero)):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return value


def neurons_of(obj, role: str):
    """The group behind a component (its ``neurons``) or a user's own group."""
    group = getattr(obj, "neurons", obj)
    if not hasattr(group, "N") or not hasattr(group, "variables"):
        raise ValueError(f"{role} must be a biokv component or a Brian2 group, got {obj!r}")
    return group


def as_generator(rng):
    """A :class:`numpy.random.Generator` from a seed, a generator, or ``None`` (seed 0: reproducible)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        rng = 0
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise ValueError(f"rng must be a non-negative integer seed or a numpy.random.Generator, got {rng!r}")
    return np.random.default_rng(int(rng))


def draw_fan_in(n_pre: int, n_post: int, n_inputs: int, rng, *, what: str = "fan_in",
                of: str = "presynaptic cells") -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) of ``n_inputs`` distinct presynaptic cells drawn for every postsynaptic cell.

    ``what`` and ``of`` name the parameter and the cells it counts in the error for ``n_inputs`` out of range.
    """
    if not 1 <= n_inputs <= n_pre:
        raise ValueError(f"{what} must be in [1, {n_pre}] ({of}), got {n_inputs}")
    rng = as_generator(rng)
    pre = np.argsort(rng.random((n_post, n_pre)), axis=1)[:, :n_inputs]
    return np.sort(pre, axis=1).ravel(), np.repeat(np.arange(n_post), n_inputs)


def draw_fan_out(n_pre: int, n_post: int, n_targets: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) of ``n_targets`` distinct postsynaptic cells drawn for every presynaptic cell."""
    post, pre = draw_fan_in(n_post, n_pre, n_targets, rng, what="fan_out", of="postsynaptic cells")
    return pre, post
