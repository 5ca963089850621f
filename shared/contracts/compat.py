"""Is a new JSON Schema of an event a backward-compatible (additive) change of the old one?

Allowed: new optional properties, new event types, looser descriptions/examples.
Refused: a removed property, a changed type, a property that became required, a removed enum
value, a removed event type. A breaking change is a new event type (`...v2`) beside the old one.
"""

from __future__ import annotations

from typing import Any

_SHAPE_KEYS = ("type", "$ref", "anyOf", "allOf", "oneOf", "items", "const", "format")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(root.get("$defs", {}).get(ref.split("/")[-1], {}))
    return schema


def breaking_changes(
    old: dict[str, Any], new: dict[str, Any], path: str = "", *, old_root=None, new_root=None
) -> list[str]:  # type: ignore[no-untyped-def]
    old_root = old_root or old
    new_root = new_root or new
    old = _resolve(old, old_root)
    new = _resolve(new, new_root)
    problems: list[str] = []
    if old.get("type") != new.get("type") and "type" in old:
        problems.append(f"{path or '<root>'}: type changed {old.get('type')} -> {new.get('type')}")
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum is not None:
        removed = set(map(str, old_enum)) - set(map(str, new_enum or []))
        if new_enum is not None and removed:
            problems.append(f"{path}: enum values removed {sorted(removed)}")
    problems.extend(_property_changes(old, new, path, old_root, new_root))
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{path + '.' if path else ''}{name}: became required")
    for key in ("items",):
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            problems.extend(
                breaking_changes(
                    old[key], new[key], f"{path}[]", old_root=old_root, new_root=new_root
                )
            )
    if "anyOf" in old and "anyOf" in new:
        old_types = {str(_resolve(o, old_root).get("type")) for o in old["anyOf"]}
        new_types = {str(_resolve(n, new_root).get("type")) for n in new["anyOf"]}
        if not old_types <= new_types:
            problems.append(f"{path}: union narrowed {sorted(old_types)} -> {sorted(new_types)}")
    return problems


def _property_changes(
    old: dict[str, Any], new: dict[str, Any], path: str, old_root: Any, new_root: Any
) -> list[str]:
    """Each old property must still exist, and change only compatibly."""
    problems: list[str] = []
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_prop in old.get("properties", {}).items():
        where = f"{path}.{name}" if path else name
        if name not in new_props:
            problems.append(f"{where}: property removed")
            continue
        problems.extend(
            breaking_changes(old_prop, new_props[name], where, old_root=old_root, new_root=new_root)
        )
    return problems
