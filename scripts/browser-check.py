"""`python -m jupyterlab.browser_check`, with Debian's Chromium.

JupyterLab's check (what the extension template's CI runs) starts JupyterLab
with every installed extension, opens it in a headless browser and fails on
any error logged by the page or the server. To open the browser it installs
Playwright with npm into the application directory, runs `npx playwright
install chromium` (a download this project never does) and launches that
browser without flags. Here only that step is replaced: JupyterLab's own
browser-test.js runs unchanged, with the Playwright of ui-tests/node_modules,
launching /usr/bin/chromium with the flags of tests/harness/chromium.js
(scripts/browser-check-preload.js). The rest is JupyterLab's code.

Run it with the Python of the environment to check, from anywhere:

    .venv-jl44/bin/python scripts/browser-check.py [BrowserApp options]
"""

import asyncio
import os
import sys
from pathlib import Path

import jupyterlab
from jupyterlab import browser_check

ROOT = Path(__file__).resolve().parent.parent
PRELOAD = ROOT / "scripts" / "browser-check-preload.js"
NODE_MODULES = ROOT / "ui-tests" / "node_modules"
BROWSER_TEST = Path(jupyterlab.__file__).parent / "browser-test.js"


async def run_browser(url):
    """Run JupyterLab's browser-test.js against `url` in Debian's Chromium."""
    env = dict(os.environ)
    env["NODE_PATH"] = os.pathsep.join(
        p for p in (str(NODE_MODULES), env.get("NODE_PATH", "")) if p
    )
    process = await asyncio.create_subprocess_exec(
        "node", "--require", str(PRELOAD), str(BROWSER_TEST), url, env=env
    )
    if await process.wait() != 0:
        raise RuntimeError(f"browser-test.js exited with {process.returncode}")


class BrowserApp(browser_check.BrowserApp):
    """JupyterLab's BrowserApp, as `python -m` runs it: its extension is this
    module (`__main__`), the server's starter extension."""

    name = __name__


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": BrowserApp}]


def main():
    if not (NODE_MODULES / "playwright").is_dir():
        sys.exit(f"No Playwright in {NODE_MODULES}: run scripts/setup.sh --for-tests.")
    # BrowserApp.initialize_handlers looks the function up in its module.
    browser_check.run_browser = run_browser
    BrowserApp.launch_instance()


if __name__ == "__main__":
    main()
