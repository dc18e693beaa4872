"""JupyterLab server configuration for the integration tests.

!! Never use this configuration in production: it opens the server to the
world (no token, no XSRF check) and exposes JupyterLab objects on `window`.

The Kernel Gateway is preset the way an administrator would do it, through an
`overrides.json` file in a settings directory of our own. Everything comes
from environment variables set by playwright.config.js:

- LAB_PORT, LAB_ROOT_DIR: where the server listens and keeps notebooks (the
  directory is emptied at start, and so is the extension's session store,
  LAB_ROOT_DIR/../<name>-sessions.db, unless LAB_KEEP_STATE is set: a
  restart of the same server);
- GATEWAY_URL, GATEWAY_TOKEN, GATEWAY_NAME: the gateway the extension starts
  with, and the name shown beside its kernels;
- LAB_TOKEN (optional): require this token and check XSRF, as a real server;
- LAB_CERTFILE, LAB_KEYFILE, LAB_HOSTNAME (optional): serve over https, as
  that host name.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  (CI machines run as root)
c.ServerApp.port = int(os.environ["LAB_PORT"])  # noqa: F821

root = Path(os.environ["LAB_ROOT_DIR"])
sessions_db = root.parent / f"{root.name}-sessions.db"
if not os.environ.get("LAB_KEEP_STATE"):
    shutil.rmtree(root, ignore_errors=True)
    sessions_db.unlink(missing_ok=True)
root.mkdir(parents=True, exist_ok=True)
c.ServerApp.root_dir = str(root)  # noqa: F821
c.KernelGatewaySessionStore.database_path = str(sessions_db)  # noqa: F821

settings_dir = Path(tempfile.mkdtemp(prefix="kg-lab-app-settings-"))
(settings_dir / "overrides.json").write_text(
    json.dumps(
        {
            "jupyterlab-kernel-gateway:plugin": {
                "gatewayUrl": os.environ["GATEWAY_URL"],
                "gatewayName": os.environ.get("GATEWAY_NAME", ""),
                "authToken": os.environ["GATEWAY_TOKEN"],
            }
        }
    )
)
c.LabApp.app_settings_dir = str(settings_dir)  # noqa: F821
c.LabApp.user_settings_dir = tempfile.mkdtemp(prefix="kg-lab-user-settings-")  # noqa: F821

if os.environ.get("LAB_CERTFILE"):
    # Served over https (a test certificate): for mixed-content tests.
    c.ServerApp.certfile = os.environ["LAB_CERTFILE"]  # noqa: F821
    c.ServerApp.keyfile = os.environ["LAB_KEYFILE"]  # noqa: F821
    # Reached as https://<LAB_HOSTNAME>:<port> (resolved to 127.0.0.1).
    c.ServerApp.local_hostnames = ["localhost", os.environ["LAB_HOSTNAME"]]  # noqa: F821

if os.environ.get("LAB_TOKEN"):
    # A server protected like a real one: token and XSRF checks on.
    c.IdentityProvider.token = os.environ["LAB_TOKEN"]  # noqa: F821
    c.ServerApp.disable_check_xsrf = False  # noqa: F821
    c.LabApp.expose_app_in_browser = False  # noqa: F821

if os.environ.get("LAB_LOG_FILE"):
    # Every request the server logs (at DEBUG, the URL of each one) also
    # goes to a file the tests read; the console stays at INFO.
    c.ServerApp.log_level = "DEBUG"  # noqa: F821
    c.ServerApp.logging_config = {  # noqa: F821
        "handlers": {
            "console": {"level": "INFO"},
            "file": {
                "class": "logging.FileHandler",
                "level": "DEBUG",
                "filename": os.environ["LAB_LOG_FILE"],
                "mode": "w",
            },
        },
        "loggers": {"ServerApp": {"handlers": ["console", "file"]}},
    }
