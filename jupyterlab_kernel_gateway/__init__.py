"""JupyterLab extension that runs kernels on a Jupyter Kernel Gateway, straight from the browser.

The Python package only ships the prebuilt JupyterLab extension.
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only outside a proper installation
    import warnings

    warnings.warn("Importing 'jupyterlab_kernel_gateway' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-kernel-gateway"}]
