"""Web UI routes (being built)."""

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    return None
