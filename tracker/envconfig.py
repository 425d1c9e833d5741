"""Settings from the environment: every setting in tracker/config.py may be set by a variable of its name.

Pure (no Flask): given the defaults and the environment, the settings the environment sets, each
parsed by its default's type, or a ConfigError naming every bad one so start-up stops with a clear
message instead of a traceback far from the cause.
"""

from __future__ import annotations

import types
from collections.abc import Mapping

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(RuntimeError):
    """A setting the environment gives cannot be used."""


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def parse_int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def parse_float(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise ConfigError(f"{name} must be a finite number of at least 0, not {raw!r}")
    return value


def setting_type(default: object, annotation: object = None) -> type:
    """bool, int, float, tuple or str: the default's type, or the annotation's for a default of None."""
    if default is not None:
        return type(default)
    if isinstance(annotation, types.UnionType):  # e.g. str | None
        kinds = [kind for kind in annotation.__args__ if kind is not type(None)]
        return kinds[0] if len(kinds) == 1 else str
    return annotation if isinstance(annotation, type) else str


def parse(name: str, raw: str, kind: type) -> object:
    if kind is bool:
        return parse_bool(name, raw)
    if kind is int:
        return parse_int(name, raw)
    if kind is float:
        return parse_float(name, raw)
    if kind is tuple:  # a list of words, e.g. OIDC_ALLOWED_TENANTS="a, b c"
        return tuple(part for part in raw.replace(",", " ").split() if part)
    return raw.strip()


def settings_from(module: types.ModuleType) -> dict[str, type]:
    """Each setting of a configuration module (its upper-case names) and its type."""
    annotations = getattr(module, "__annotations__", {})
    return {
        name: setting_type(getattr(module, name), annotations.get(name))
        for name in dir(module)
        if name.isupper() and not name.startswith("_")
    }


def problems_in(settings: Mapping[str, type], environ: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    """The settings the environment sets, parsed, and what is wrong with the ones that are bad."""
    values: dict[str, object] = {}
    problems: list[str] = []
    for name, kind in settings.items():
        if not environ.get(name, "").strip():
            continue  # unset or empty: the default (as DATABASE_URL and SECRET_KEY always were)
        try:
            values[name] = parse(name, environ[name], kind)
        except ConfigError as error:
            problems.append(str(error))
    return values, problems


def from_environment(settings: Mapping[str, type], environ: Mapping[str, str]) -> dict[str, object]:
    """The settings the environment sets, parsed; ConfigError listing every one that is bad."""
    values, problems = problems_in(settings, environ)
    if problems:
        raise ConfigError("Spread Tracker cannot start: " + "; ".join(problems))
    return values
