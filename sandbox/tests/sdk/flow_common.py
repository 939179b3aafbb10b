"""What the two official SDK flows share: failing loudly, calling the sandbox through the SDK's
client and checking the result, and plain HTTP to the sandbox.

Both SDKs open HTTPS on port 443 whatever the gateway URL says; the sandbox under test listens
on plain HTTP on an ephemeral port, so that one connection function is swapped. Nothing else of
the SDKs is touched.
"""

import http.client
import json
import sys
import urllib.parse


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def call(client, request, step):
    """Sends `request` with the SDK's `client`; prints the step and its result; the body."""
    body = json.loads(client.execute(request))
    result = body.get("result") or {}
    print("%s %s %s/%s" % (step, request.path, result.get("resultStatus"), result.get("resultCode")))
    return body


def expect(body, status, code, step):
    """Fails unless `body`'s result is `status`/`code`."""
    result = body.get("result") or {}
    if (result.get("resultStatus"), result.get("resultCode")) != (status, code):
        fail("%s: expected %s/%s, got %s" % (step, status, code, json.dumps(body)))


def plain_http_connection(url, timeout=15):
    parts = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)


def use_plain_http(default_http_rpc):
    """Makes the SDK's `default_http_rpc` module connect over plain HTTP."""
    setattr(default_http_rpc, "__get_http_connection", plain_http_connection)
