"""Check the records the browser sends to the session store.

A record says which kernel a notebook or console uses on which backend (a
Kernel Gateway's URL, or ``local``). Everything is checked before it reaches
the store: unknown fields, wrong types and over-long values are refused with
a one-line reason, so a mistaken or hostile page cannot fill the store with
anything but short, well-formed records. No field can hold a gateway token:
backend URLs with a query or credentials are refused.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlsplit

#: The largest request body accepted, in bytes.
MAX_BODY = 64 * 1024

MAX_PATH = 4096
MAX_NAME = 1024
MAX_BACKEND = 2048
MAX_KERNEL_NAME = 255

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_TYPE = re.compile(r"^[A-Za-z0-9_-]{0,64}$")


class InvalidRecord(ValueError):
    """A record the store refuses; the message says why, in one line."""


def check_session(data: Any) -> dict:
    """A new session record: ``{id, backend, path, name, type, kernel}``."""
    fields = _fields(data, required={"id", "backend", "path", "name", "type", "kernel"})
    return {
        "id": check_id(fields["id"], "id"),
        "backend": check_backend(fields["backend"]),
        "path": _path(fields["path"]),
        "name": _text(fields["name"], "name", MAX_NAME),
        "type": _type(fields["type"]),
        "kernel": _kernel_ref(fields["kernel"]),
    }


def check_session_changes(data: Any) -> dict:
    """Changes to a session: any of ``path``, ``name``, ``type``, ``kernel``."""
    fields = _fields(data, optional={"path", "name", "type", "kernel"})
    if not fields:
        raise InvalidRecord("Nothing to change: give path, name, type or kernel.")
    checks = {
        "path": _path,
        "name": lambda value: _text(value, "name", MAX_NAME),
        "type": _type,
        "kernel": _kernel_ref,
    }
    return {key: checks[key](value) for key, value in fields.items()}


def check_kernel(data: Any) -> dict:
    """A kernel record's body: ``{backend, name, started}``."""
    fields = _fields(data, required={"backend", "name", "started"})
    started = fields["started"]
    if isinstance(started, bool) or not isinstance(started, (int, float)):
        raise InvalidRecord('"started" must be a number (ms since the epoch).')
    if not math.isfinite(started) or started < 0:
        raise InvalidRecord('"started" must be a time after 1970 (ms since the epoch).')
    return {
        "backend": check_backend(fields["backend"]),
        "name": _text(fields["name"], "name", MAX_KERNEL_NAME, empty=False),
        "started": float(started),
    }


def check_id(value: Any, field: str) -> str:
    """A session or kernel id (a uuid, or similar)."""
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidRecord(
            f'"{field}" must be an id of letters, digits, ".", "_" or "-" (at most 128 characters).'
        )
    return value


def check_backend(value: Any) -> str:
    """Where kernels run: ``local``, or a gateway's http(s) URL."""
    text = _text(value, "backend", MAX_BACKEND, empty=False)
    if text == "local":
        return text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidRecord('"backend" must be "local" or an http(s) URL.')
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidRecord(
            '"backend" must be a URL without credentials, query or fragment '
            "(no token is ever stored)."
        )
    return text


def _fields(data: Any, required: set[str] = frozenset(), optional: set[str] = frozenset()) -> dict:
    if not isinstance(data, dict):
        raise InvalidRecord("The body must be a JSON object.")
    allowed = required | optional
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidRecord(
            f'Unknown field "{unknown[0]}": only {", ".join(sorted(allowed))} are accepted.'
        )
    missing = sorted(required - set(data))
    if missing:
        raise InvalidRecord(f'Missing field "{missing[0]}".')
    return dict(data)


def _text(value: Any, field: str, limit: int, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f'"{field}" must be text.')
    if len(value) > limit:
        raise InvalidRecord(f'"{field}" is longer than {limit} characters.')
    if not empty and not value:
        raise InvalidRecord(f'"{field}" must not be empty.')
    if any(ord(char) < 32 for char in value):
        raise InvalidRecord(f'"{field}" must not contain control characters.')
    return value


def _path(value: Any) -> str:
    return _text(value, "path", MAX_PATH, empty=False)


def _type(value: Any) -> str:
    if not isinstance(value, str) or not _TYPE.match(value):
        raise InvalidRecord('"type" must be a short word such as "notebook" or "console".')
    return value


def _kernel_ref(value: Any) -> dict:
    fields = _fields(value, required={"id", "name"})
    return {
        "id": check_id(fields["id"], "kernel.id"),
        "name": _text(fields["name"], "kernel.name", MAX_KERNEL_NAME, empty=False),
    }
