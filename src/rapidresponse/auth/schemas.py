from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


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


class UserOut(BaseModel):
    username: str
    display_name: str
    email: str | None
    role: str
    locale: str
    timezone: str
    is_active: bool


class UserCreate(Strict):
    username: Annotated[str, StringConstraints(min_length=2, max_length=64)]
    role: str
    display_name: Annotated[str, StringConstraints(max_length=120)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    locale: str = "en"
    timezone: str = "UTC"


class UserCreated(UserOut):
    one_time_password: str


class ProfileUpdate(Strict):
    display_name: Annotated[str, StringConstraints(max_length=120)] | None = None
    locale: str | None = None
    timezone: str | None = None


class TokenCreate(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    scopes: list[str] | None = Field(default=None, description="Subset of your role's permissions; all when omitted")
    days: int | None = Field(default=90, ge=1, le=3650, description="Lifetime in days; null never expires")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown once, store it now")
