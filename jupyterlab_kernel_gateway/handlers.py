"""The session store's REST API, under ``{base_url}kernel-gateway/``.

Protected like every Jupyter Server API: the user must be authenticated
(token or login cookie) and authorized for the ``sessions`` resource, and
requests that change anything pass Jupyter Server's XSRF check.

- ``GET store``: where records are kept and any problem with the file;
- ``GET sessions?backend=B``, ``POST sessions`` (201, or 409 with the
  notebook's existing session), ``GET|PATCH|DELETE sessions/{id}``
  (``DELETE …?kernel=K``: only while the session uses kernel K, else 409);
- ``GET kernels?backend=B``, ``PUT|DELETE kernels/{id}?backend=B``.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .records import (
    MAX_BODY,
    InvalidRecord,
    check_backend,
    check_id,
    check_kernel,
    check_session,
    check_session_changes,
)
from .store import Conflict, KernelGatewaySessionStore

#: The resource name used for authorization.
AUTH_RESOURCE = "sessions"

_ID = r"(?P<record_id>[^/]+)"


class _StoreHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    def initialize(self, store: KernelGatewaySessionStore) -> None:
        self.store = store

    def body(self) -> Any:
        if len(self.request.body) > MAX_BODY:
            raise _bad(f"The body is larger than {MAX_BODY} bytes.", status=413)
        try:
            return json.loads(self.request.body or b"null")
        except ValueError as error:
            raise _bad(f"The body is not JSON ({error}).") from None

    def backend(self) -> str:
        value = self.get_query_argument("backend", None)
        if value is None:
            raise _bad('The query parameter "backend" is required.')
        return _checked(check_backend, value)

    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        if isinstance(error, Refused):
            self.log.info("Kernel Gateway session store refused a request: %s", error.text)
            self.finish(json.dumps({"message": error.text}))
        else:
            super().write_error(status_code, **kwargs)


class StoreInfoHandler(_StoreHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.reply(
            {"kind": "server", "location": self.store.location, "problem": self.store.problem}
        )


class SessionsHandler(_StoreHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.reply(self.store.sessions(self.backend()))

    @web.authenticated
    @authorized
    def post(self) -> None:
        record = _checked(check_session, self.body())
        try:
            session, created = self.store.create_session(record)
        except Conflict as error:
            raise _bad(str(error), status=409) from None
        if created:
            self.reply(session, status=201)
        else:
            self.reply(
                {"message": f'"{record["path"]}" already has a session.', "session": session},
                status=409,
            )


class SessionHandler(_StoreHandler):
    @web.authenticated
    @authorized
    def get(self, record_id: str) -> None:
        session = self.store.session(_checked(check_id, record_id, "id"))
        if session is None:
            raise _bad(f'No session "{record_id}".', status=404)
        self.reply(session)

    @web.authenticated
    @authorized
    def patch(self, record_id: str) -> None:
        session_id = _checked(check_id, record_id, "id")
        changes = _checked(check_session_changes, self.body())
        try:
            session = self.store.update_session(session_id, changes)
        except Conflict as error:
            self.reply({"message": str(error), "session": error.session}, status=409)
            return
        if session is None:
            raise _bad(f'No session "{record_id}".', status=404)
        self.reply(session)

    @web.authenticated
    @authorized
    def delete(self, record_id: str) -> None:
        """Remove a session; with ``?kernel=K``, only while it uses kernel K
        (a device that found K gone must not remove a session another device
        just moved to a new kernel)."""
        kernel = self.get_query_argument("kernel", None)
        if kernel is not None:
            kernel = _checked(check_id, kernel, "kernel")
        try:
            removed = self.store.delete_session(_checked(check_id, record_id, "id"), kernel)
        except Conflict as error:
            self.reply({"message": str(error), "session": error.session}, status=409)
            return
        if not removed:
            raise _bad(f'No session "{record_id}".', status=404)
        self.set_status(204)
        self.finish()


class KernelsHandler(_StoreHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.reply(self.store.kernels(self.backend()))


class KernelHandler(_StoreHandler):
    @web.authenticated
    @authorized
    def put(self, record_id: str) -> None:
        kernel_id = _checked(check_id, record_id, "id")
        record = _checked(check_kernel, self.body())
        created = self.store.put_kernel(kernel_id, record)
        self.reply({"id": kernel_id, **record}, status=201 if created else 200)

    @web.authenticated
    @authorized
    def delete(self, record_id: str) -> None:
        kernel_id = _checked(check_id, record_id, "id")
        if not self.store.delete_kernel(self.backend(), kernel_id):
            raise _bad(f'No kernel "{record_id}" on that backend.', status=404)
        self.set_status(204)
        self.finish()


def setup_handlers(web_app: web.Application, store: KernelGatewaySessionStore) -> None:
    """Add the API to the server, under ``{base_url}kernel-gateway/``."""
    base = url_path_join(web_app.settings["base_url"], "kernel-gateway")
    options = {"store": store}
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "store"), StoreInfoHandler, options),
            (url_path_join(base, "sessions"), SessionsHandler, options),
            (url_path_join(base, "sessions", _ID), SessionHandler, options),
            (url_path_join(base, "kernels"), KernelsHandler, options),
            (url_path_join(base, "kernels", _ID), KernelHandler, options),
        ],
    )


def _checked(check, *args):
    try:
        return check(*args)
    except InvalidRecord as error:
        raise _bad(str(error)) from None


class Refused(web.HTTPError):
    """A request refused with a one-line reason (answered as ``{"message"}``)."""

    def __init__(self, status: int, text: str):
        super().__init__(status)
        self.text = text


def _bad(message: str, status: int = 400) -> Refused:
    return Refused(status, message)
