"""connect(): a MongoStore from a URI, with short timeouts, one clear error and no password shown."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from pymongo import MongoClient
from pymongo.errors import ConfigurationError, InvalidURI, PyMongoError

from paintcore.domain.errors import StorageUnavailable
from paintcore.ports import Clock

from .documents import Document
from .errors import describe
from .store import MongoStore

DEFAULT_DATABASE = "paintbot"
CONNECT_TIMEOUT_MS = 3_000
SOCKET_TIMEOUT_MS = 10_000  # pymongo waits forever by default; a hung server must not hang a worker
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SECRET_OPTION = re.compile(r"password|secret|token", re.IGNORECASE)


def connect(
    uri: str,
    *,
    clock: Clock,
    server_selection_timeout_ms: int = 3_000,
    app_name: str = "paintbot",
) -> MongoStore:
    """A store on the URI's database ("paintbot" if it names none), after a ping.

    StorageUnavailable, naming the URI without its password, when the URI is invalid, no server
    answers within the timeout, or the credentials are refused. Timeouts set in the URI win.
    """
    shown = redact(uri)
    options = _uri_options(uri)
    settings: dict[str, Any] = {"tz_aware": True}
    for name, value in (
        ("serverSelectionTimeoutMS", server_selection_timeout_ms),
        ("connectTimeoutMS", CONNECT_TIMEOUT_MS),
        ("socketTimeoutMS", SOCKET_TIMEOUT_MS),
        ("appname", app_name),
    ):
        if name.lower() not in options:
            settings[name] = value
    try:
        client: MongoClient[Document] = MongoClient(uri, **settings)
    except (InvalidURI, ConfigurationError, ValueError, TypeError) as error:
        # `from None`: a traceback would print the cause, and parsers like to quote their input.
        raise StorageUnavailable(f"invalid MongoDB URI {shown}: {scrub(str(error), uri)}") from None
    except OSError as error:  # a TLS file the URI names (tlsCAFile, ...) is missing or unreadable
        reason = scrub(str(error), uri)
        raise StorageUnavailable(f"cannot use MongoDB at {shown}: {reason}") from None
    try:
        database = client.get_default_database(default=DEFAULT_DATABASE).name
        client.admin.command("ping")
        return MongoStore(client, database, clock)
    except PyMongoError as error:
        client.close()
        reason = scrub(describe(error), uri)
        raise StorageUnavailable(f"cannot use MongoDB at {shown}: {reason}") from None
    except StorageUnavailable as error:  # from creating the indexes
        client.close()
        reason = scrub(str(error), uri)
        raise StorageUnavailable(f"cannot use MongoDB at {shown}: {reason}") from None


def redact(uri: str) -> str:
    """The URI with the password (and options such as tokens) replaced by ***."""
    match = _SCHEME.match(uri)
    scheme, rest = (match.group(0), uri[match.end() :]) if match else ("", uri)
    query_at = rest.find("?")
    head, query = (rest, "") if query_at < 0 else (rest[:query_at], rest[query_at:])
    at = head.rfind("@")  # the last one: an unescaped @ in a password must not split it
    if at >= 0:
        user, colon, _ = head[:at].partition(":")
        head = f"{user}{':***' if colon else ''}{head[at:]}"
    query = re.sub(
        r"([?&;])([^=&;]*)=([^&;]*)",
        lambda m: f"{m[1]}{m[2]}=***" if _SECRET_OPTION.search(m[2]) else m[0],
        query,
    )
    return f"{scheme}{head}{query}"


def scrub(message: str, uri: str) -> str:
    """`message` without the URI's password, in case a driver message quotes it."""
    password = _password(uri)
    if len(password) < 4:  # shorter ones would blank out ordinary words
        return message
    for form in {password, unquote_plus(password)}:
        message = message.replace(form, "***")
    return message


def _password(uri: str) -> str:
    match = _SCHEME.match(uri)
    head = (uri[match.end() :] if match else uri).split("?", 1)[0]
    at = head.rfind("@")
    return head[:at].partition(":")[2] if at >= 0 else ""


def _uri_options(uri: str) -> set[str]:
    """The lower-cased names of the options the URI sets."""
    query = uri.partition("?")[2]
    return {name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)}
