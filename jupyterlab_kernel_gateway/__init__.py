"""JupyterLab extension that runs kernels on a Jupyter Kernel Gateway, straight from the browser.

The Python package ships the prebuilt JupyterLab extension and a small server
extension that
- tells the page the server's root directory as an absolute path
  (``serverroot``);
- keeps which notebook uses which gateway kernel on this server, for every
  browser and device of the user (``store``, ``handlers``).
Kernels, kernelspecs and kernel messages never pass through this server.
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only outside a proper installation
    import warnings

    warnings.warn(
        "Importing 'jupyterlab_kernel_gateway' outside a proper installation.", stacklevel=2
    )
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-kernel-gateway"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_kernel_gateway"}]


def _load_jupyter_server_extension(server_app):
    from .handlers import setup_handlers
    from .serverroot import load
    from .store import KernelGatewaySessionStore

    load(server_app)
    store = KernelGatewaySessionStore(parent=server_app, log=server_app.log)
    setup_handlers(server_app.web_app, store)
    # The page keeps its sessions here rather than in the browser.
    page_config = server_app.web_app.settings.setdefault("page_config_data", {})
    page_config["kernelGatewaySessionStore"] = "server"
    if store.problem:
        page_config["kernelGatewaySessionStoreProblem"] = store.problem
    server_app.log.info("Kernel Gateway sessions are kept in %s", store.location)
