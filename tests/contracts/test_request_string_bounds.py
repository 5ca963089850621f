"""Every string a client can send us to store has a documented maximum length (issue 12 item 9).

Walks every request model of the contracts and of the gateway's routers (a model that forbids
unknown fields, or whose name says it is a request/input/body) and every `str` inside it: plain,
optional, in a list, or a dict's key or value. A push token of 10,000 characters was accepted;
this fails for any new field that forgets its bound. The shared limits live in
shared/contracts/bounds.py and are listed in docs/operations.md.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Iterator
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from services.gateway.models import RequestModel

MODULES = (
    "shared.contracts.notifications",
    "shared.contracts.warranty",
    "shared.contracts.orders",
    "shared.contracts.carts",
    "services.gateway.models",
    "services.gateway.routers.notifications",
    "services.gateway.routers._webhooks",
    "services.gateway.routers.warranty",
    "services.gateway.routers._repair_centre",
    "services.gateway.routers.orders",
)


def is_request(model: type[BaseModel]) -> bool:
    return (
        issubclass(model, RequestModel)
        or model.model_config.get("extra") == "forbid"
        or model.__name__.endswith(("Request", "In", "Body"))
    )


def with_submodules(name: str) -> Iterator[str]:
    """A module, and every module inside it when it is a package."""
    yield name
    module = importlib.import_module(name)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"{name}."):
        yield info.name


def request_models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for name in (sub for top in MODULES for sub in with_submodules(top)):
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == name and is_request(cls):
                found[f"{name}.{cls.__name__}"] = cls
    return [found[k] for k in sorted(found)]


def bounded(metadata: list[Any]) -> bool:
    for item in metadata:
        if isinstance(item, FieldInfo) and bounded(item.metadata):
            return True
        if isinstance(item, annotated_types.MaxLen):
            return True
    return False


def unbounded_strings(where: str, annotation: Any, metadata: list[Any]) -> Iterator[str]:
    origin = typing.get_origin(annotation)
    if annotation is str:
        if not bounded(metadata):
            yield where
    elif origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        yield from unbounded_strings(where, base, [*metadata, *extra])
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from unbounded_strings(where, arg, metadata)
    elif origin in (list, tuple, set, frozenset):
        for arg in typing.get_args(annotation):
            if arg is not Ellipsis:
                yield from unbounded_strings(f"{where}[]", arg, [])
    elif origin is dict:
        key, value = typing.get_args(annotation)
        yield from unbounded_strings(f"{where}{{key}}", key, [])
        yield from unbounded_strings(f"{where}{{value}}", value, [])


MODELS = request_models()


def test_the_walk_finds_the_request_models():
    names = {m.__name__ for m in MODELS}
    assert {"PutContactRequest", "CreateWebhookRequest", "OpenClaimRequest"} <= names
    assert len(MODELS) > 30


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__module__}.{m.__name__}")
def test_every_string_field_of_a_request_model_has_a_max_length(model: type[BaseModel]):
    missing = [
        problem
        for name, field in model.model_fields.items()
        for problem in unbounded_strings(name, field.annotation, list(field.metadata))
    ]
    assert not missing, f"{model.__name__}: no max_length on {missing}"


def test_a_ten_thousand_character_push_token_is_refused():
    from pydantic import ValidationError

    from shared.contracts.notifications import PutContactRequest

    with pytest.raises(ValidationError):
        PutContactRequest(push_tokens=["x" * 10_000])
