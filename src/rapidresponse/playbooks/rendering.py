"""Rendering message templates: sandboxed Jinja2, so a playbook written by a team cannot reach into the server.

Templates see only the incident's facts given to :func:`render` (plain values, no objects). A
missing fact renders as an empty string rather than failing a message in the middle of a crisis,
and the preview lists the facts that were missing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import ValidationFailed

MAX_OUTPUT = 20_000


@lru_cache(maxsize=1)
def sandbox() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(autoescape=False, undefined=ChainableUndefined, trim_blocks=True,
                                         lstrip_blocks=True)


def render(source: str, facts: dict[str, Any]) -> tuple[str, list[str]]:
    """The rendered text and the names of the facts it uses that were not given."""
    env = sandbox()
    try:
        missing = sorted(meta.find_undeclared_variables(env.parse(source)) - facts.keys())
        out = env.from_string(source).render(**facts)
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:  # the sandbox's refusals too
        raise ValidationFailed(f"the template cannot be rendered: {exc}") from None
    if len(out) > MAX_OUTPUT:
        raise ValidationFailed(f"the rendered message is longer than {MAX_OUTPUT} characters")
    return out.strip(), missing
