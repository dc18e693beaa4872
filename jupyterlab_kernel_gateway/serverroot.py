"""Give the page the local server's root directory as an absolute path.

Jupyter Server hands JupyterLab its root directory with the home directory
shortened to ``~`` (``serverRoot`` in the page config), but a kernel started
on a Kernel Gateway needs the notebook's directory as an absolute path
(``KERNEL_WORKING_DIR``, as Jupyter Server's own gateway client sends it).
The page cannot expand ``~`` itself, so this server extension adds
``kernelGatewayServerRoot`` to the page config. Nothing else runs on the
server: kernels, kernelspecs and sessions never pass through it.
"""

import os

PAGE_CONFIG_KEY = "kernelGatewayServerRoot"


def absolute_root(server_app) -> str:
    """The directory notebooks are served from, absolute."""
    contents = getattr(server_app, "contents_manager", None)
    root = getattr(contents, "root_dir", None) or server_app.root_dir
    return os.path.abspath(os.path.expanduser(root))


def load(server_app) -> None:
    """Add the absolute root directory to every JupyterLab page's config."""
    page_config = server_app.web_app.settings.setdefault("page_config_data", {})
    page_config[PAGE_CONFIG_KEY] = absolute_root(server_app)
