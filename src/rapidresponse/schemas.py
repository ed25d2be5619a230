"""Shapes every domain's schemas share: strict input and the page of a list."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

T = TypeVar("T")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class Strict(BaseModel):
    """Input: unknown fields are refused, and so is text with NUL characters (no database stores them)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("text must not contain NUL characters")
        return value


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many there are in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int
