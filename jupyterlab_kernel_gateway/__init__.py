"""JupyterLab extension that runs kernels on a Jupyter Kernel Gateway, straight from the browser.

The Python package ships the prebuilt JupyterLab extension, and a one-line
server extension that tells the page the server's root directory as an
absolute path (see ``serverroot``).
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only outside a proper installation
    import warnings

    warnings.warn("Importing 'jupyterlab_kernel_gateway' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-kernel-gateway"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_kernel_gateway"}]


def _load_jupyter_server_extension(server_app):
    from .serverroot import load

    load(server_app)
