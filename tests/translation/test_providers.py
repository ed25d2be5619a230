"""Machine suggestions from local servers that speak LibreTranslate's and DeepL's HTTP APIs; a
provider that fails gives no suggestion and never fails the request; none is configured by default."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from rapidresponse.translation import TranslationOut
from rapidresponse.translation.providers import DeepL, LibreTranslate, ProviderError, configured

WORDS = {"видео": "video", "удалено": "removed", "аккаунт": "account", "заблокирован": "blocked"}
KEY = "s3cret"


def _translate(text: str) -> str:
    return " ".join(WORDS.get(w.strip(".").lower(), w) for w in text.split())


class ProtocolServer:
    """Answers ``POST /translate`` as LibreTranslate does and ``POST /v2/translate`` as DeepL does,
    refusing a wrong key (403) and unsupported languages (400)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], Any]] = []

    def __enter__(self) -> ProtocolServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                server.calls.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if self.path == "/translate":
                    self._libre(body)
                elif self.path == "/v2/translate":
                    self._deepl(body)
                else:
                    self._send(404, {"error": "Not Found"})

            def _libre(self, body: dict[str, Any]) -> None:
                if body.get("api_key") != KEY:
                    return self._send(403, {"error": "Invalid API key"})
                if body.get("source") != "ru" or body.get("target") not in ("en", "kk"):
                    return self._send(400, {"error": f"{body.get('target')} is not supported"})
                self._send(200, {"translatedText": _translate(body["q"])})

            def _deepl(self, body: dict[str, Any]) -> None:
                if self.headers.get("Authorization") != f"DeepL-Auth-Key {KEY}":
                    return self._send(403, {"message": "Wrong endpoint or key"})
                if body.get("target_lang") not in ("EN-GB", "EN-US", "UK"):
                    return self._send(400, {"message": "Value for 'target_lang' not supported."})
                self._send(200, {"translations": [{"detected_source_language": "RU", "text": _translate(t)}
                                                  for t in body["text"]]})

            def _send(self, status: int, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mt_server() -> Iterator[ProtocolServer]:
    with ProtocolServer() as s:
        yield s


def test_libretranslate_speaks_its_protocol(mt_server: ProtocolServer) -> None:
    provider = LibreTranslate(mt_server.url, KEY)
    assert provider.translate(["Видео удалено.", "Аккаунт заблокирован."], "ru", "en") == [
        "video removed", "account blocked"]
    path, _, body = mt_server.calls[0]
    assert path == "/translate" and body == {"q": "Видео удалено.", "source": "ru", "target": "en",
                                             "format": "text", "api_key": KEY}
    with pytest.raises(ProviderError, match="403 Invalid API key"):
        LibreTranslate(mt_server.url, "wrong").translate(["Видео"], "ru", "en")
    with pytest.raises(ProviderError, match="400"):
        provider.translate(["Видео"], "ru", "uz")


def test_deepl_speaks_its_protocol(mt_server: ProtocolServer) -> None:
    provider = DeepL(mt_server.url, KEY)
    assert provider.translate(["Видео удалено.", "Аккаунт заблокирован."], "ru", "en") == [
        "video removed", "account blocked"]
    path, headers, body = mt_server.calls[0]
    assert path == "/v2/translate" and headers["authorization"] == f"DeepL-Auth-Key {KEY}"
    assert body == {"text": ["Видео удалено.", "Аккаунт заблокирован."], "source_lang": "RU", "target_lang": "EN-GB"}
    with pytest.raises(ProviderError, match="403"):
        DeepL(mt_server.url, "wrong").translate(["Видео"], "ru", "en")
    with pytest.raises(ProviderError, match="did not answer"):
        DeepL("http://127.0.0.1:9", KEY, timeout=2).translate(["Видео"], "ru", "en")


@pytest.mark.parametrize("provider", ["libretranslate", "deepl"])
def test_a_configured_provider_suggests_and_a_failing_one_only_stays_silent(
        provider: str, mt_server: ProtocolServer, env: Callable[..., None],
        make_translation: Callable[..., TranslationOut]) -> None:
    assert configured() is None and make_translation(text="Видео удалено.").suggestion == ""
    env(translation_provider=provider, translation_provider_url=mt_server.url, translation_provider_key=KEY)
    r = make_translation(text="Видео удалено.")
    assert (r.suggestion, r.suggestion_provider, r.translation, r.state) == ("video removed", provider, "", "requested")
    env(translation_provider_key="wrong")
    r = make_translation(text="Видео удалено.")
    assert (r.suggestion, r.state) == ("", "requested")
