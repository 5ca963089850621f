"""Every command that compose and Kubernetes run is one the code really provides.

`python -m services.X` needs services/X/__main__.py; `concierge <sub> ...` needs that command in
the typer app (concierge_cli.main.app, imported lazily).
"""

from __future__ import annotations

import pytest
import yaml

from tests.deploy.conftest import ALL_PROCESSES, COMPOSE_FILE, DEPLOY, ROOT
from tests.deploy.k8s_render import render


def _compose_commands() -> list[tuple[str, list[str]]]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    return [
        (f"compose:{name}", svc["command"])
        for name, svc in compose["services"].items()
        if "image" in svc and "concierge" in svc["image"]
    ]


def _k8s_commands() -> list[tuple[str, list[str]]]:
    found = []
    for resource in render(DEPLOY / "k8s" / "overlays" / "example"):
        pod = resource.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            command = container.get("command", []) + container.get("args", [])
            found.append((f"k8s:{resource['metadata']['name']}/{container['name']}", command))
    return found


COMMANDS = _compose_commands() + _k8s_commands()


def test_every_process_is_started_somewhere() -> None:
    started = {tuple(cmd) for _, cmd in COMMANDS}
    for process in ALL_PROCESSES:
        assert ("python", "-m", f"services.{process}") in started
    assert all(cmd for _, cmd in COMMANDS), "no container relies on the image's default command"


@pytest.mark.parametrize(
    "command", [cmd for _, cmd in COMMANDS], ids=[where for where, _ in COMMANDS]
)
def test_command_exists_in_the_code(command: list[str]) -> None:
    if command[:2] == ["python", "-m"]:
        module = command[2]
        assert module.startswith("services."), f"unexpected module {module}"
        main = ROOT.joinpath(*module.split("."), "__main__.py")
        assert main.is_file(), f"{module} has no {main.relative_to(ROOT)} (yet)"
    elif command[0] == "concierge":
        _assert_cli_has(command[1:])
    else:
        pytest.fail(f"unknown command {command}")


def _assert_cli_has(words: list[str]) -> None:
    import typer.main

    from concierge_cli.main import app  # lazily: the CLI is someone else's, still moving

    group = typer.main.get_command(app)
    path = []
    for word in words:
        subcommands = getattr(group, "commands", None)
        if subcommands is None:
            break  # reached a leaf command: the rest are its arguments
        assert word in subcommands, f"`concierge {' '.join([*path, word])}` does not exist"
        group = subcommands[word]
        path.append(word)
    assert path, "`concierge` needs a sub-command"


def test_the_cli_check_rejects_unknown_commands() -> None:
    with pytest.raises(AssertionError, match="does not exist"):
        _assert_cli_has(["no-such-command"])
    _assert_cli_has(["dlq", "replay", "some-id"])
