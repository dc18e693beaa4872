"""Jupyter Kernel Gateway configuration: remove the delayed-ACK stall on kernel websockets.

Tornado, which Kernel Gateway and Jupyter Server use, leaves Nagle's algorithm on for
websockets. A kernel's small replies (execute_reply, status) then often wait for the
client's delayed ACK, about 40 ms, so every execute round trip takes ~48 ms instead of
a few. This turns TCP_NODELAY on for each websocket once it is accepted.

Use it with ``jupyter kernelgateway --config=kernel_gateway_nodelay.py ...`` (or copy
it into ``jupyter_kernel_gateway_config.py`` in a Jupyter config directory). It works
for Jupyter Server too (``jupyter_server_config.py``), for its websocket proxy.
"""

import tornado.websocket
from tornado.log import app_log

_start_pinging = tornado.websocket.WebSocketProtocol13.start_pinging
_announced = []


def _start_pinging_without_delay(self):
    # Called once per websocket, right after the handshake, with the stream
    # detached from the HTTP connection.
    self.set_nodelay(True)
    if not _announced:
        _announced.append(True)
        app_log.info("TCP_NODELAY is on for websockets (kernel_gateway_nodelay.py)")
    _start_pinging(self)


if not getattr(tornado.websocket.WebSocketProtocol13, "_jlkg_nodelay", False):
    tornado.websocket.WebSocketProtocol13.start_pinging = _start_pinging_without_delay
    tornado.websocket.WebSocketProtocol13._jlkg_nodelay = True
