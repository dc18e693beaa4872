"""pytest fixtures: a real Jupyter Server with this package's server extension."""

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def database_path(tmp_path):
    return tmp_path / "store" / "sessions.db"


@pytest.fixture
def jp_server_config(database_path):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_kernel_gateway": True}},
        "KernelGatewaySessionStore": {"database_path": str(database_path)},
    }
