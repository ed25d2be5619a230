"""The optional second factor: time-based one-time codes (RFC 6238, via pyotp) and recovery codes.

These helpers hold the mechanics (secrets, codes, replay protection, the signed token that carries a
half-finished login); :mod:`.service` holds who may do what, and records the events.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..clock import now
from ..config import get_settings
from .models import RecoveryCode, TotpFactor, User

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
PENDING_SECONDS = 300


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:64]


def confirmed(session: Session, user_id: int) -> TotpFactor | None:
    """The user's active second factor, or None."""
    factor = session.get(TotpFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=get_settings().totp_issuer)


def begin(session: Session, user_id: int) -> str:
    """A new unconfirmed secret for the user (replacing an earlier unconfirmed one)."""
    factor = session.get(TotpFactor, user_id)
    if factor is None:
        factor = TotpFactor(user_id=user_id, created_at=now())
        session.add(factor)
    factor.secret, factor.confirmed_at, factor.last_step, factor.created_at = pyotp.random_base32(), None, 0, now()
    return factor.secret


def totp_step(factor: TotpFactor, code: str, at: datetime | None = None) -> int | None:
    """The time step the code belongs to (the previous, current or next one, for clock drift), or None
    when it is wrong or its step is not later than the last one used."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(factor.secret)
    current = totp.timecode(at or now())
    for step in (current - 1, current, current + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_totp(session: Session, factor: TotpFactor, code: str) -> bool:
    """Accept a code once: the step is claimed with a conditional update, so the same code sent twice
    at once is still accepted only once."""
    step = totp_step(factor, code)
    if step is None:
        return False
    claimed = session.execute(update(TotpFactor)
                              .where(TotpFactor.user_id == factor.user_id, TotpFactor.last_step < step)
                              .values(last_step=step).execution_options(synchronize_session=False))
    session.refresh(factor)
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def use_recovery_code(session: Session, user_id: int, code: str) -> bool:
    """Accept an unused recovery code of this user once."""
    used = session.execute(update(RecoveryCode)
                           .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == _sha(_normalise(code)),
                                  RecoveryCode.used_at.is_(None))
                           .values(used_at=now()).execution_options(synchronize_session=False))
    return bool(used.rowcount)  # type: ignore[attr-defined]


def recovery_codes_left(session: Session, user_id: int) -> int:
    return int(session.execute(select(func.count()).select_from(RecoveryCode)
                               .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).scalar_one())


def new_recovery_codes(session: Session, user_id: int) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them (only their hashes are kept)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user_id, code_hash=_sha(raw)))
    return codes


def remove(session: Session, user_id: int) -> bool:
    """Drop the user's second factor and recovery codes; True when one was active."""
    was_on = confirmed(session, user_id) is not None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.execute(delete(TotpFactor).where(TotpFactor.user_id == user_id))
    return was_on


# --- a login waiting for its second factor ---------------------------------------------------

def _mac(user: User, expires: int) -> str:
    key = get_settings().effective_secret_key.encode()
    # the password hash is part of what is signed: a password change voids a half-finished login
    message = f"login-second-factor:{user.id}:{expires}:{user.password_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def pending_token(user: User) -> str:
    """A short-lived signed token saying that this user gave the right password."""
    expires = int(now().timestamp()) + PENDING_SECONDS
    return f"{user.id}.{expires}.{_mac(user, expires)}"


def pending_user(session: Session, token: str) -> User | None:
    """The user a pending token names, when it is genuine and not expired."""
    user_id, _, rest = token.partition(".")
    expires, _, mac = rest.partition(".")
    if not (user_id.isdigit() and expires.isdigit()) or int(expires) < now().timestamp() or len(user_id) > 12:
        return None
    user = session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(mac.encode(), _mac(user, int(expires)).encode()):
        return None
    return user
