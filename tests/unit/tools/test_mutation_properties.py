"""The mutation run's property rewrite keeps behaviour and leaves setters alone."""

from __future__ import annotations

import textwrap

from tools.mutation.properties import expose_properties

SOURCE = textwrap.dedent(
    '''
    from dataclasses import dataclass


    @dataclass(frozen=True, slots=True)
    class Line:
        goods: int
        shipping: int

        @property
        def total(self) -> int:
            """Goods and shipping."""
            return self.goods + self.shipping

        def doubled(self) -> int:
            return 2 * self.total


    class Box:
        def __init__(self) -> None:
            self._size = 1

        @property
        def size(self) -> int:
            return self._size

        @size.setter
        def size(self, value: int) -> None:
            self._size = value
    '''
)


def _load(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace


def test_a_getter_becomes_a_method_and_a_property_with_the_same_value() -> None:
    out = expose_properties(SOURCE)
    assert "def total__get(self) -> int:" in out
    assert "    total = property(total__get)\n" in out
    line = _load(out)["Line"](goods=3, shipping=4)  # type: ignore[operator]
    assert line.total == 7
    assert line.doubled() == 14


def test_a_property_with_a_setter_is_left_alone() -> None:
    out = expose_properties(SOURCE)
    assert "size__get" not in out
    box = _load(out)["Box"]()  # type: ignore[operator]
    box.size = 5
    assert box.size == 5


def test_a_module_without_properties_is_unchanged() -> None:
    source = "def f(x):\n    return x + 1\n"
    assert expose_properties(source) == source
