"""A small, offline kustomize for the subset deploy/k8s uses (no kubectl needed).

Supports: resources (files and directories), namespace, labels (pairs), images (newName/newTag),
patches given by path, either strategic-merge documents (matched by kind and name; containers
merged by name) or JSON 6902 lists with a target (kind, name regex). When a kubectl with
kustomize is installed, tests also compare against `kubectl kustomize`.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]


def _load(path: Path) -> list[Resource]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def render(directory: Path) -> list[Resource]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        resources += render(target) if target.is_dir() else _load(target)
    for patch in kustomization.get("patches", []):
        _apply_patch(resources, directory / patch["path"], patch.get("target"))
    for item in kustomization.get("labels", []):
        for res in resources:
            res.setdefault("metadata", {}).setdefault("labels", {}).update(item["pairs"])
    if namespace := kustomization.get("namespace"):
        for res in resources:
            if res["kind"] != "Namespace":
                res["metadata"]["namespace"] = namespace
    for image in kustomization.get("images", []):
        _set_image(resources, image)
    return resources


def _set_image(resources: list[Resource], image: dict[str, str]) -> None:
    for res in resources:
        pod = res.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                new_name = image.get("newName", name)
                new_tag = image.get("newTag", tag)
                container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name


def _apply_patch(resources: list[Resource], path: Path, target: dict | None) -> None:
    documents = _load(path)
    if target is not None:
        ops = documents[0] if len(documents) == 1 and isinstance(documents[0], list) else documents
        pattern = re.compile(f"^(?:{target['name']})$")
        matched = [
            r
            for r in resources
            if r["kind"] == target["kind"] and pattern.match(r["metadata"]["name"])
        ]
        assert matched, f"{path}: target matches nothing"
        for res in matched:
            for op in ops:
                _json6902(res, op)
        return
    for doc in documents:
        matched = [
            r
            for r in resources
            if r["kind"] == doc["kind"] and r["metadata"]["name"] == doc["metadata"]["name"]
        ]
        assert len(matched) == 1, f"{path}: {doc['kind']}/{doc['metadata']['name']} not found"
        _merge(matched[0], copy.deepcopy(doc))


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        for key, value in patch.items():
            base[key] = _merge(base[key], value) if key in base else value
        return base
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
    ):
        by_name = {item["name"]: item for item in base}
        for item in patch:
            if item["name"] in by_name:
                _merge(by_name[item["name"]], item)
            else:
                base.append(item)
        return base
    return patch


def _json6902(res: Resource, op: dict[str, Any]) -> None:
    *parents, last = [p for p in op["path"].split("/") if p]
    node: Any = res
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if op["op"] in ("replace", "add"):
        if isinstance(node, list):
            node.append(op["value"]) if last == "-" else node.insert(int(last), op["value"])
        else:
            assert op["op"] == "add" or last in node, f"replace of missing {op['path']}"
            node[last] = op["value"]
    elif op["op"] == "remove":
        del node[int(last) if isinstance(node, list) else last]
    else:
        raise NotImplementedError(op["op"])
