"""Users, roles, permissions, web sessions and API tokens."""

from .permissions import ROLES, SYSTEM, Actor, Perm

__all__ = ["ROLES", "SYSTEM", "Actor", "Perm"]
