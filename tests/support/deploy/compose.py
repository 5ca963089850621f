"""Compose-file helpers shared by the deploy tests: variable interpolation and secret names."""

from __future__ import annotations

import re

SECRET_NAME = re.compile(r"PASSWORD|SECRET|PEPPER|TOKEN|PRIVATE_KEY|_KEY$")
VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?])([^}]*))?\}")


def interpolate(value: object, env: dict[str, str]) -> object:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?error} substitution (enough for this file)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        current = env.get(name)
        if op.startswith(":?") and not current:
            raise KeyError(f"{name}: {arg}")
        if op.startswith(":-") and not current:
            return arg
        return current or ""

    return VAR_REF.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


def secret_names(text: str) -> set[str]:
    return {m.group(1) for m in VAR_REF.finditer(text) if SECRET_NAME.search(m.group(1))}


def required_names(text: str) -> set[str]:
    """Every variable the file requires (`${VAR:?...}`): the secrets and the settings that have
    no sensible default (the photo bucket's name, say)."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return {m.group(1) for m in VAR_REF.finditer(code) if (m.group(2) or "").startswith(":?")}
