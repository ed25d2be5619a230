"""The live server handle shared by the browser tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

PASSWORD = "correct horse battery"


@dataclass
class LiveServer:
    url: str
    database_url: str


    def make_user(self, role: str = "commander", **kw: Any) -> str:
        """Create a user straight in the server's database (like an admin would); returns the username."""
        from rapidresponse.auth import SYSTEM
        from rapidresponse.auth import service as auth
        from rapidresponse.db import make_engine

        name = f"{role}-{secrets.token_hex(3)}"
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as s:
                auth.create_user(s, SYSTEM, username=name, role=role, password=PASSWORD,
                                 display_name=kw.pop("display_name", name.title()), **kw)
                s.commit()
        finally:
            engine.dispose()
        return name
