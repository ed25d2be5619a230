"""Input and output shapes of users and tokens; :class:`Person` is how other domains see a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..schemas import Strict
from .permissions import Actor


class Person(BaseModel):
    """A user as the rest of the product sees one: who, how to reach them, in which language and zone."""

    model_config = ConfigDict(frozen=True)

    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    locale: str
    timezone: str
    is_active: bool
    must_change_password: bool = False

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class SignedIn:
    """The user behind a live web session."""

    actor: Actor
    csrf_token: str
    must_change_password: bool
    needs_second_factor: bool = False  # their role requires one and they have none yet


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


class TwoFactorSetup(BaseModel):
    """An enrolment waiting for its first code: the secret, and the otpauth:// URI apps read."""

    secret: str
    uri: str


class TwoFactorStatus(BaseModel):
    enabled: bool
    setup: TwoFactorSetup | None = None
    recovery_codes_left: int = 0


_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


class WorkingHoursIn(Strict):
    days: Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(max_length=7)] = Field(
        description="Weekdays worked, 0 Monday … 6 Sunday")
    start: Annotated[str, StringConstraints(pattern=_CLOCK)] = Field(description="HH:MM in the person's zone")
    end: Annotated[str, StringConstraints(pattern=_CLOCK)] = Field(description="HH:MM; before start: next day")

    @model_validator(mode="after")
    def _span(self) -> WorkingHoursIn:
        if self.start == self.end:
            raise ValueError("the working day needs a start and an end that differ")
        return self


class WorkingHours(BaseModel):
    days: list[int]
    start: str
    end: str
    timezone: str
