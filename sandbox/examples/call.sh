#!/usr/bin/env bash
# Signs and sends one open API call to the sandbox with openssl and curl.
#   sandbox/examples/call.sh /v1/payments/pay '{"productCode":"CASHIER_PAYMENT", ...}'
# Environment: SANDBOX (default http://127.0.0.1:8700), DATA_DIR (default .data/sandbox),
# CLIENT_ID and KEY (default: the default merchant's, read from DATA_DIR).
set -euo pipefail
path=$1
body=$2
base=${SANDBOX:-http://127.0.0.1:8700}
data=${DATA_DIR:-.data/sandbox}
client_id=${CLIENT_ID:-$(sed -n 's/.*"clientId": *"\([^"]*\)".*/\1/p' "$data/merchant.json")}
key=${KEY:-$data/merchant-private-key.pem}
time=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Content to sign: "POST <path>\n<Client-Id>.<Request-Time>.<body>", RSA PKCS#1 v1.5 + SHA-256.
sig=$(printf 'POST %s\n%s.%s.%s' "$path" "$client_id" "$time" "$body" \
  | openssl dgst -sha256 -sign "$key" | base64 | tr -d '\n' \
  | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g')
curl -sS "$base$path" \
  -H 'content-type: application/json; charset=UTF-8' \
  -H "client-id: $client_id" \
  -H "request-time: $time" \
  -H "signature: algorithm=RSA256,keyVersion=1,signature=$sig" \
  --data-binary "$body"
echo
