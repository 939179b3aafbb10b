"""What the two official SDK flows share: failing loudly, and plain HTTP to the sandbox.

Both SDKs open HTTPS on port 443 whatever the gateway URL says; the sandbox under test listens
on plain HTTP on an ephemeral port, so that one connection function is swapped. Nothing else of
the SDKs is touched.
"""

import http.client
import sys
import urllib.parse


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def plain_http_connection(url, timeout=15):
    parts = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)


def use_plain_http(default_http_rpc):
    """Makes the SDK's `default_http_rpc` module connect over plain HTTP."""
    setattr(default_http_rpc, "__get_http_connection", plain_http_connection)
