"""Antom's official Python SDK (global-open-sdk-python) against a running sandbox.

Usage: python3 antom_flow.py <base> <clientId> <merchantKeyPem> <walletPublicKeyPem>

Runs pay -> inquiryPayment -> (complete headlessly) -> refund -> inquiryRefund (by each id),
then pay -> cancel on a second payment, with the SDK's own request classes, request signing and
response verification. Prints one line per step and `ANTOM SDK FLOW OK` at the end; exits 1
with the reason on the first surprise.

The SDK's transport (1.7.1) always opens HTTPS to port 443 of the gateway's host, whatever the
gateway URL says. The one thing replaced here is that connection factory, so that the SDK
reaches the sandbox's plain-HTTP ephemeral port; signing, paths, bodies and verification are
the SDK's own.
"""

import json
import sys
import time
import urllib.request

from cryptography.hazmat.primitives import serialization

from com.alipay.ams.api.default_alipay_client import DefaultAlipayClient
from com.alipay.ams.api.model.amount import Amount
from com.alipay.ams.api.model.order import Order
from com.alipay.ams.api.model.product_code_type import ProductCodeType
from com.alipay.ams.api.net import default_http_rpc
from com.alipay.ams.api.request.pay.alipay_inquiry_refund_request import (
    AlipayInquiryRefundRequest,
)
from com.alipay.ams.api.request.pay.alipay_pay_cancel_request import AlipayPayCancelRequest
from com.alipay.ams.api.request.pay.alipay_pay_query_request import AlipayPayQueryRequest
from com.alipay.ams.api.request.pay.alipay_pay_request import AlipayPayRequest
from com.alipay.ams.api.request.pay.alipay_refund_request import AlipayRefundRequest


from flow_common import fail, use_plain_http

use_plain_http(default_http_rpc)


def call(client, request, step):
    body = json.loads(client.execute(request))
    result = body.get("result") or {}
    print("%s %s %s/%s" % (step, request.path, result.get("resultStatus"), result.get("resultCode")))
    return body


def expect(body, status, code, step):
    result = body.get("result") or {}
    if (result.get("resultStatus"), result.get("resultCode")) != (status, code):
        fail("%s: expected %s/%s, got %s" % (step, status, code, json.dumps(body)))


def pay_request(request_id, value):
    req = AlipayPayRequest()
    req.product_code = ProductCodeType.CASHIER_PAYMENT
    req.payment_request_id = request_id
    req.payment_amount = Amount("USD", value)
    order = Order()
    order.reference_order_id = "order-" + request_id
    order.order_description = "SDK coffee"
    order.order_amount = Amount("USD", value)
    req.order = order
    req.payment_redirect_url = "https://merchant.example/return"
    return req


def main():
    if len(sys.argv) != 5:
        fail("usage: antom_flow.py <base> <clientId> <merchantKeyPem> <walletPublicKeyPem>")
    base, client_id, key_file, wallet_file = sys.argv[1:]
    # The merchant key as a merchant pastes it: the base64 body of a PKCS#1 RSA key.
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    pkcs1 = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    merchant_key = "".join(l for l in pkcs1.splitlines() if "-----" not in l)
    with open(wallet_file) as f:
        wallet_key = "".join(l for l in f.read().splitlines() if "-----" not in l)
    client = DefaultAlipayClient(base, client_id, merchant_key, wallet_key)
    stamp = str(int(time.time() * 1000))

    paid = call(client, pay_request("sdk-pay-" + stamp, "1000"), "pay")
    expect(paid, "A", "ACCEPT", "pay")
    payment_id = paid["paymentId"]
    if not (paid.get("normalUrl") or (paid.get("redirectActionForm") or {}).get("redirectUrl")):
        fail("pay: no cashier URL in " + json.dumps(paid))

    query = AlipayPayQueryRequest()
    query.payment_id = payment_id
    inquiry = call(client, query, "inquiryPayment")
    expect(inquiry, "S", "SUCCESS", "inquiryPayment")
    if inquiry.get("paymentStatus") != "PROCESSING":
        fail("inquiryPayment: expected PROCESSING, got " + json.dumps(inquiry))

    # The user pays: headless completion, no Origin header (a server-side call).
    done = urllib.request.urlopen(
        urllib.request.Request(
            base + "/sandbox/payments/" + payment_id + "/complete",
            data=json.dumps({"outcome": "SUCCESS"}).encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
    )
    print("complete HTTP %d" % done.status)

    inquiry = call(client, query, "inquiryPayment")
    if inquiry.get("paymentStatus") != "SUCCESS":
        fail("inquiryPayment after complete: " + json.dumps(inquiry))

    refund = AlipayRefundRequest()
    refund.refund_request_id = "sdk-refund-" + stamp
    refund.payment_id = payment_id
    refund.refund_amount = Amount("USD", "400")
    refund.refund_reason = "SDK test"
    refunded = call(client, refund, "refund")
    expect(refunded, "S", "SUCCESS", "refund")
    refund_id = refunded["refundId"]

    for field, value in (("refund_id", refund_id), ("refund_request_id", refund.refund_request_id)):
        ask = AlipayInquiryRefundRequest()
        setattr(ask, field, value)
        answer = call(client, ask, "inquiryRefund(%s)" % field)
        expect(answer, "S", "SUCCESS", "inquiryRefund")
        got = (answer.get("refundId"), answer.get("refundStatus"), answer.get("refundAmount"))
        if got != (refund_id, "SUCCESS", {"currency": "USD", "value": "400"}):
            fail("inquiryRefund(%s): %s" % (field, json.dumps(answer)))
        if not answer.get("refundTime"):
            fail("inquiryRefund(%s): no refundTime" % field)

    ask = AlipayInquiryRefundRequest()
    ask.refund_request_id = "sdk-no-such-refund-" + stamp
    missing = call(client, ask, "inquiryRefund(unknown)")
    expect(missing, "F", "REFUND_NOT_EXIST", "inquiryRefund(unknown)")

    second = call(client, pay_request("sdk-cancel-" + stamp, "500"), "pay")
    expect(second, "A", "ACCEPT", "pay (second)")
    cancel = AlipayPayCancelRequest()
    cancel.payment_request_id = "sdk-cancel-" + stamp
    cancelled = call(client, cancel, "cancel")
    expect(cancelled, "S", "SUCCESS", "cancel")
    if cancelled.get("paymentId") != second["paymentId"]:
        fail("cancel: " + json.dumps(cancelled))

    print("ANTOM SDK FLOW OK")


if __name__ == "__main__":
    main()
