"""Machine translation, as a suggestion only: a provider proposes, a person translates and reviews.

A provider is anything with ``name`` and ``translate(texts, source, target) -> list[str]``. Two
speak real protocols over HTTP:

- :class:`LibreTranslate`: ``POST {url}/translate`` with ``q``, ``source``, ``target``, ``format``
  and ``api_key`` (a LibreTranslate server, self-hosted or hosted);
- :class:`DeepL`: ``POST {url}/v2/translate`` with ``Authorization: DeepL-Auth-Key …`` and
  ``text``, ``source_lang``, ``target_lang`` (DeepL's API, or a server that speaks it).

None is configured by default (``RAPIDRESPONSE_TRANSLATION_PROVIDER`` empty): the product works
fully without one. A provider that fails raises :class:`ProviderError`, which the request page shows
as "no suggestion", never as a failed request.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from ..config import get_settings


class ProviderError(Exception):
    pass


class Provider(Protocol):
    name: str

    def translate(self, texts: list[str], source: str, target: str) -> list[str]: ...


def _post(url: str, *, json: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    try:
        response = httpx.post(url, json=json, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise ProviderError(f"the translation service did not answer: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        try:
            why = response.json().get("error") or response.json().get("message") or ""
        except ValueError:
            why = ""
        raise ProviderError(f"the translation service answered {response.status_code} {str(why)[:200]}".strip())
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderError("the translation service answered something that is not JSON") from exc


class LibreTranslate:
    name = "libretranslate"

    def __init__(self, url: str, api_key: str = "", timeout: float = 10.0) -> None:
        self.url, self.api_key, self.timeout = url.rstrip("/"), api_key, timeout

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        out = []
        for text in texts:
            body: dict[str, Any] = {"q": text, "source": source, "target": target, "format": "text"}
            if self.api_key:
                body["api_key"] = self.api_key
            answer = _post(f"{self.url}/translate", json=body, headers={}, timeout=self.timeout)
            translated = answer.get("translatedText") if isinstance(answer, dict) else None
            if not isinstance(translated, str):
                raise ProviderError("the translation service's answer has no translatedText")
            out.append(translated)
        return out


# DeepL names English and Portuguese targets by variant.
DEEPL_TARGETS = {"en": "EN-GB", "pt": "PT-PT"}


class DeepL:
    name = "deepl"

    def __init__(self, url: str, api_key: str, timeout: float = 10.0) -> None:
        self.url, self.api_key, self.timeout = url.rstrip("/"), api_key, timeout

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        body = {"text": texts, "source_lang": source.upper(),
                "target_lang": DEEPL_TARGETS.get(target, target.upper())}
        answer = _post(f"{self.url}/v2/translate", json=body,
                       headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"}, timeout=self.timeout)
        rows = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(rows, list) or len(rows) != len(texts) or not all(
                isinstance(r, dict) and isinstance(r.get("text"), str) for r in rows):
            raise ProviderError("the translation service's answer does not hold one translation per text")
        return [r["text"] for r in rows]


def configured() -> Provider | None:
    """The provider the settings name, or None."""
    s = get_settings()
    if s.translation_provider == "libretranslate":
        return LibreTranslate(s.translation_provider_url, s.translation_provider_key,
                              s.translation_provider_timeout_seconds)
    if s.translation_provider == "deepl":
        return DeepL(s.translation_provider_url, s.translation_provider_key, s.translation_provider_timeout_seconds)
    return None
