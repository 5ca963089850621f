"""Walks over a published OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

REF_PREFIX = "#/components/schemas/"


def refs(node: Any) -> Iterator[str]:
    """Every component schema name referenced anywhere inside `node`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            yield ref.removeprefix(REF_PREFIX)
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def operation_roots(doc: dict[str, Any]) -> Iterator[Any]:
    """The request body and every response of every operation."""
    for item in doc["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                yield operation.get("requestBody", {})
                yield operation.get("responses", {})


def reachable_schemas(doc: dict[str, Any]) -> set[str]:
    """Names of the component schemas a client can receive or send, following nested refs."""
    schemas = doc["components"]["schemas"]
    seen: set[str] = set()
    todo = [name for root in operation_roots(doc) for name in refs(root)]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(refs(schemas[name]))
    return seen
