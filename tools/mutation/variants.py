"""One-step changes of a data value: the mutation operators of the table harness (tables.py).

A number moves by one, a range loses a step at either end, a short code loses its last
character or is reversed, a set loses an element or gains the enum member it lacks, an enum
value becomes another member, a tuple loses or swaps entries, a mapping loses a key, and records
(frozen dataclasses) and containers have their parts changed the same ways.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Make = Callable[[Any], Any]


def _enum_universe(values: Any) -> list[Any]:
    members = [v for v in values if isinstance(v, enum.Enum)]
    return list(type(members[0])) if members else []


def variants(value: Any, path: str = "") -> Iterator[tuple[str, Make]]:
    """Every one-step change of `value`, as (description, function of the original)."""
    if isinstance(value, bool) or value is None or isinstance(value, type):
        return
    if isinstance(value, enum.Enum):
        for other in type(value):
            if other is not value:
                yield f"{path} {value!r} -> {other!r}", lambda v, o=other: o
        return
    if isinstance(value, int | float):
        yield f"{path} {value} -> {value + 1}", lambda v: v + 1
        yield f"{path} {value} -> {value - 1}", lambda v: v - 1
    elif isinstance(value, range):
        yield f"{path} start + 1", lambda v: range(v.start + 1, v.stop)
        yield f"{path} stop - 1", lambda v: range(v.start, v.stop - 1)
    elif isinstance(value, str):
        yield from _str_variants(value, path)
    elif isinstance(value, frozenset | set):
        yield from _set_variants(value, path)
    elif isinstance(value, tuple):
        yield from _tuple_variants(value, path)
    elif isinstance(value, Mapping):
        yield from _mapping_variants(value, path)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            for desc, make in variants(inner, f"{path}.{f.name}"):
                yield desc, _replace_field(f.name, make)


def _str_variants(value: str, path: str) -> Iterator[tuple[str, Make]]:
    # Single characters and short codes are data (look-alikes, position kinds); longer strings
    # are names and texts, whose changes the tests catch through the tables that key on them.
    if len(value) <= 20 and value:
        yield f"{path} {value!r} -> {value[:-1]!r}", lambda v: v[:-1]
        if len(set(value)) > 1:
            yield f"{path} {value!r} reversed", lambda v: v[::-1]


def _set_variants(value: frozenset[Any] | set[Any], path: str) -> Iterator[tuple[str, Make]]:
    kind = type(value)
    for item in sorted(value, key=repr):
        yield f"{path} - {item!r}", lambda v, i=item: kind(x for x in v if x != i)
    for item in _enum_universe(value):
        if item not in value:
            yield f"{path} + {item!r}", lambda v, i=item: kind({*v, i})


def _tuple_variants(value: tuple[Any, ...], path: str) -> Iterator[tuple[str, Make]]:
    for i in range(len(value)):
        yield f"{path} drop [{i}]", lambda v, i=i: v[:i] + v[i + 1 :]
    for i in range(len(value) - 1):
        if value[i] != value[i + 1]:
            yield (
                f"{path} swap [{i}] [{i + 1}]",
                lambda v, i=i: ((*v[:i], v[i + 1], v[i], *v[i + 2 :])),
            )
    for i, item in enumerate(value):
        for desc, make in variants(item, f"{path}[{i}]"):
            yield desc, lambda v, i=i, make=make: (*v[:i], make(v[i]), *v[i + 1 :])


def _mapping_variants(value: Mapping[Any, Any], path: str) -> Iterator[tuple[str, Make]]:
    for key in list(value):
        yield f"{path} del [{key!r}]", lambda v, k=key: {x: y for x, y in v.items() if x != k}
    for key, inner in value.items():
        for desc, make in variants(inner, f"{path}[{key!r}]"):
            yield desc, lambda v, k=key, make=make: {**v, k: make(v[k])}


def _replace_field(name: str, make: Make) -> Make:
    return lambda v: dataclasses.replace(v, **{name: make(getattr(v, name))})
