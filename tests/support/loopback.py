"""A threaded HTTP server on 127.0.0.1 and a free port, for the test proxies that stand between
ansible-playbook and moto_server."""

import http.server
import socketserver
import threading


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(handler):
    """(server, url) of ``handler`` served in a daemon thread; stop with shutdown() and server_close()."""
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d" % server.server_address[1]
