"""Validated experiment configurations.

A configuration is a dataclass whose fields are declared with :func:`param` (default, description, allowed range
or choices). Nested dataclasses group parameters, addressed with dotted keys (``kwinner.k``). A configuration is
built from layers of plain mappings, later layers winning: defaults < model file (TOML) < ``--quick`` < ``--set``.
Every error names the parameter, the value given and what is allowed, and is raised before any work starts.
"""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from dataclasses import field, fields, is_dataclass
from pathlib import Path
from typing import Any, Mapping

__all__ = ["ConfigError", "param", "build_config", "parse_assignments", "set_nested", "load_toml", "load_model_file",
           "to_dict", "to_json", "to_toml", "describe"]


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type or out of range."""


def param(default, doc: str, *, low=None, high=None, low_open: bool = False, high_open: bool = False,
          choices=None, source: str | None = None):
    """Declare a configuration field.

    Parameters
    ----------
    default
        Default value (a tuple for sequences; a dataclass instance for a group).
    doc : str
        What the parameter is, with its unit if it has one.
    low, high : number, optional
        Allowed range (inclusive unless ``low_open`` / ``high_open``); for sequences, of every element.
    choices : sequence, optional
        Allowed values (for strings; for sequences, of every element).
    source : str, optional
        Where the default comes from (paper, figure, section).
    """
    meta = dict(doc=doc, low=low, high=high, low_open=low_open, high_open=high_open, choices=choices,
                source=source)
    if is_dataclass(default) or isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: dataclasses.replace(d) if is_dataclass(d) else d.copy(),
                     metadata=meta)
    return field(default=default, metadata=meta)


def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _allowed(meta) -> str:
    if meta.get("choices") is not None:
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    low, high = meta.get("low"), meta.get("high")
    if low is not None and high is not None:
        return f"in {'(' if meta['low_open'] else '['}{low}, {high}{')' if meta['high_open'] else ']'}"
    if low is not None:
        return f"{'>' if meta['low_open'] else '>='} {low}"
    if high is not None:
        return f"{'<' if meta['high_open'] else '<='} {high}"
    return "any value"


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    if origin is tuple:
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(tp, str(tp))


def _coerce_scalar(value, tp, key: str):
    if isinstance(value, str) and tp is not str:
        text = value.strip()
        try:
            if tp is bool:
                if text.lower() in ("true", "yes", "1"):
                    return True
                if text.lower() in ("false", "no", "0"):
                    return False
                raise ValueError
            value = json.loads(text) if tp in (int, float) else text
        except ValueError:
            raise ConfigError(f"{key}={value!r}: expected {_type_name(tp)}") from None
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    raise ConfigError(f"{key}={value!r}: expected {_type_name(tp)}")


def _coerce(value, tp, key: str):
    if typing.get_origin(tp) is tuple:
        elem = typing.get_args(tp)[0]
        if isinstance(value, str):
            value = [v for v in value.strip().strip("[]()").split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}={value!r}: expected {_type_name(tp)}")
        return tuple(_coerce_scalar(v, elem, key) for v in value)
    return _coerce_scalar(value, tp, key)


def _check_range(value, meta, key: str):
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if meta.get("choices") is not None and v not in meta["choices"]:
            raise ConfigError(f"{key}={value!r} is not allowed: must be {_allowed(meta)}")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if isinstance(v, float) and not math.isfinite(v):
                raise ConfigError(f"{key}={value!r} is not allowed: must be a finite number {_allowed(meta)}")
            low, high = meta.get("low"), meta.get("high")
            bad_low = low is not None and (v <= low if meta["low_open"] else v < low)
            bad_high = high is not None and (v >= high if meta["high_open"] else v > high)
            if bad_low or bad_high:
                raise ConfigError(f"{key}={value!r} is out of range: must be {_allowed(meta)}")


def _build(cls, layer: Mapping, prefix: str):
    hints = _hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = [k for k in layer if k not in known]
    if unknown:
        names = ", ".join(sorted(prefix + k for k in known))
        raise ConfigError(f"unknown parameter {prefix + unknown[0]!r}; known parameters: {names}")
    kwargs = {}
    for name, f in known.items():
        key = prefix + name
        tp = hints[name]
        if is_dataclass(tp):
            sub = layer.get(name, {})
            if not isinstance(sub, Mapping):
                raise ConfigError(f"{key} is a group of parameters; set its members, e.g. {key}.<name>=...")
            kwargs[name] = _build(tp, sub, key + ".")
        elif name in layer:
            value = _coerce(layer[name], tp, key)
            _check_range(value, f.metadata, key)
            kwargs[name] = value
    cfg = cls(**kwargs)
    check = getattr(cfg, "check", None)
    if check is not None:
        try:
            check()
        except ConfigError as err:
            raise ConfigError(f"{prefix}{err}" if prefix else str(err)) from None
    return cfg


def _merge(base: dict, layer: Mapping) -> dict:
    out = dict(base)
    for k, v in layer.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def build_config(cls, *layers: Mapping):
    """Build and validate a configuration of class ``cls`` from layers of (nested) mappings, later ones winning."""
    merged: dict = {}
    for layer in layers:
        if layer:
            merged = _merge(merged, layer)
    # defaults of every field (validated too, so that a default out of range is caught)
    return _build(cls, _merge(to_dict(cls()), merged), "")


def parse_assignments(assignments) -> dict:
    """``["kwinner.k=10", "cue_levels=1,0.5"]`` -> nested mapping of raw (string) values."""
    out: dict = {}
    for item in assignments or ():
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        if not all(key.strip().split(".")):
            raise ConfigError(f"--set expects key=value, got {item!r}")
        set_nested(out, key.strip(), value)
    return out


def set_nested(tree: dict, key: str, value) -> dict:
    """Set dotted ``key`` (``"kwinner.k"``) in a nested mapping, creating groups on the way."""
    parts = key.split(".")
    node = tree
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{key}: {p} is set both as a value and as a group")
    node[parts[-1]] = value
    return tree


def load_toml(path) -> dict:
    """Read a TOML parameter file (a layer of values; comments give their sources)."""
    import tomllib

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"model file {str(path)!r} does not exist")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"model file {str(path)!r} is not valid TOML: {err}") from None
    return data


def load_model_file(path, _seen=()) -> dict:
    """Read a model file, with the files it includes.

    A model file may start with ``include = ["other.toml", ...]`` (paths relative to the file): their values are
    read first, in order, and the file's own values win over them. Experiments that share a network keep it in
    one file (``models/hippocampal-network.toml``) and include it.
    """
    path = Path(path).resolve()
    if path in _seen:
        raise ConfigError(f"model file {str(path)!r} includes itself")
    data = load_toml(path)
    includes = data.pop("include", [])
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ConfigError(f"model file {str(path)!r}: include must be a list of file names")
    merged: dict = {}
    for name in includes:
        layer = load_model_file(path.parent / name, (*_seen, path))
        layer.pop("experiment", None)
        merged = _merge(merged, layer)
    return _merge(merged, data)


def to_dict(cfg) -> dict:
    """Nested plain dict (tuples as lists) of a configuration."""
    out = {}
    for f in fields(cfg):
        v = getattr(cfg, f.name)
        out[f.name] = to_dict(v) if is_dataclass(v) else (list(v) if isinstance(v, tuple) else v)
    return out


def to_json(cfg) -> str:
    return json.dumps(to_dict(cfg), sort_keys=True)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


def to_toml(cfg, header: str = "") -> str:
    """TOML text of a configuration, each value with its description and source as a comment."""
    lines = [header] if header else []

    def emit(obj, table):
        scalars, groups = [], []
        for f in fields(obj):
            (groups if is_dataclass(getattr(obj, f.name)) else scalars).append(f)
        if table:
            lines.append(f"\n[{table}]")
        for f in scalars:
            note = f.metadata.get("doc", "")
            if f.metadata.get("source"):
                note += f" (source: {f.metadata['source']})"
            lines.append(f"{f.name} = {_toml_value(getattr(obj, f.name))}  # {note}")
        for f in groups:
            emit(getattr(obj, f.name), f"{table}.{f.name}" if table else f.name)

    emit(cfg, "")
    return "\n".join(lines).strip() + "\n"


def describe(cfg, prefix: str = "") -> list[tuple[str, Any, str, str]]:
    """(key, value, allowed, description) of every parameter of a configuration.

    ``cfg`` is a configuration (its values are listed) or a configuration class (its defaults are: the values
    a run uses when nothing is set). Groups are listed with the values their parent sets, not the defaults of
    the group's own class.
    """
    if isinstance(cfg, type):
        cfg = cfg()
    rows = []
    for f in fields(cfg):
        v = getattr(cfg, f.name)
        if is_dataclass(v):
            rows.extend(describe(v, prefix + f.name + "."))
        else:
            rows.append((prefix + f.name, v, _allowed(f.metadata), f.metadata.get("doc", "")))
    return rows
