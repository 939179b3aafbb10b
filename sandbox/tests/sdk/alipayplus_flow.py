"""The official Alipay+ Python SDK against a running sandbox.

Usage: python3 alipayplus_flow.py <base> <clientId> <merchantKeyPem> <walletPublicKeyPem>

The SDK is the one Ant International ships inside its Alipay+ MCP server on PyPI
(`ant-intl-alipayplus-mcp`, module `alipayplusmcp.sdk`): `DefaultAlipayClient` with its request
classes for `/aps/api/v1/payments/{pay,inquiryPayment,refund,cancelPayment}`, its request
signing and its response verification. Only the SDK is imported, not the MCP server.

Runs pay -> inquiryPayment -> (complete headlessly) -> inquiryPayment -> refund (by the
merchant's paymentRequestId, as the SDK's refund does) -> inquiryRefund (by each id) -> pay ->
cancelPayment, then checks signatures on both sides: a client with a wrong wallet key must
reject the sandbox's answer, and a client with a wrong merchant key must be refused by the
sandbox. Prints one line per step and `ALIPAYPLUS SDK FLOW OK` at the end; exits 1 with the
reason on the first surprise.

Two things are not the SDK's own:
- its transport (1.0.1) always opens HTTPS to port 443 of the gateway's host, whatever the
  gateway URL says; the connection factory is replaced so that it reaches the sandbox's
  plain-HTTP ephemeral port (signing, paths, bodies and verification stay the SDK's);
- Alipay+ documents no inquiryRefund for acquirers, so the SDK has no request class for it;
  a small AlipayRequest subclass sends it at `/aps/api/v1/payments/inquiryRefund` through the
  SDK's own client.
"""

import json
import sys
import time
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from alipayplusmcp.sdk.default_alipay_client import DefaultAlipayClient
from alipayplusmcp.sdk.exception.exception import AlipayApiException
from alipayplusmcp.sdk.model.amount import Amount
from alipayplusmcp.sdk.model.env import Env
from alipayplusmcp.sdk.model.merchant import Merchant
from alipayplusmcp.sdk.model.order import Order
from alipayplusmcp.sdk.model.payment_factor import PaymentFactor
from alipayplusmcp.sdk.model.payment_method import PaymentMethod
from alipayplusmcp.sdk.model.settlement_strategy import SettlementStrategy
from alipayplusmcp.sdk.net import default_http_rpc
from alipayplusmcp.sdk.request.alipay_request import AlipayRequest
from alipayplusmcp.sdk.request.pay.alipay_cancel_payment_request import (
    AlipayCancelPaymentRequest,
)
from alipayplusmcp.sdk.request.pay.alipay_inquiry_payment_request import (
    AlipayInquiryPaymentRequest,
)
from alipayplusmcp.sdk.request.pay.alipay_pay_request import AlipayPayRequest
from alipayplusmcp.sdk.request.pay.alipay_refund_request import AlipayRefundRequest


from flow_common import fail, use_plain_http

use_plain_http(default_http_rpc)


class InquiryRefundRequest(AlipayRequest):
    """inquiryRefund, which the SDK has no class for, sent through the SDK's client."""

    def __init__(self, refund_id=None, refund_request_id=None):
        super(InquiryRefundRequest, self).__init__()
        self.path = "/aps/api/v1/payments/inquiryRefund"
        self.refund_id = refund_id
        self.refund_request_id = refund_request_id

    def to_aps_json(self):
        params = {}
        if self.refund_id:
            params["refundId"] = self.refund_id
        if self.refund_request_id:
            params["refundRequestId"] = self.refund_request_id
        return json.dumps(params)


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
    """A Cashier Payment as Alipay+ documents it: paymentFactor instead of productCode."""
    req = AlipayPayRequest()
    req.payment_request_id = request_id
    req.payment_amount = Amount("USD", value)
    order = Order()
    order.reference_order_id = "order-" + request_id
    order.order_description = "Alipay+ SDK coffee"
    order.order_amount = Amount("USD", value)
    merchant = Merchant()
    merchant.reference_merchant_id = "M-0001"
    merchant.merchant_name = "SDK Coffee"
    merchant.merchant_display_name = "SDK Coffee"
    merchant.merchant_mcc = "5812"
    order.merchant = merchant
    env = Env()
    env.terminal_type = "WAP"
    env.os_type = "ANDROID"
    order.env = env
    req.order = order
    factor = PaymentFactor()
    factor.is_cashier_payment = True
    factor.presentment_mode = "UNIFIED"
    req.payment_factor = factor
    method = PaymentMethod()
    method.payment_method_type = "CONNECT_WALLET"
    req.payment_method = method
    strategy = SettlementStrategy()
    strategy.settlement_currency = "USD"
    req.settlement_strategy = strategy
    req.payment_redirect_url = "https://merchant.example/return"
    return req


def query_for(payment_request_id):
    query = AlipayInquiryPaymentRequest()
    query.payment_request_id = payment_request_id
    return query


def body_of(pem_text):
    return "".join(l for l in pem_text.splitlines() if "-----" not in l)


def main():
    if len(sys.argv) != 5:
        fail("usage: alipayplus_flow.py <base> <clientId> <merchantKeyPem> <walletPublicKeyPem>")
    base, client_id, key_file, wallet_file = sys.argv[1:]
    # The merchant key as a merchant pastes it: the base64 body of a PKCS#1 RSA key.
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    merchant_key = body_of(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
    )
    with open(wallet_file) as f:
        wallet_key = body_of(f.read())
    client = DefaultAlipayClient(base, client_id, merchant_key, wallet_key)
    stamp = str(int(time.time() * 1000))

    pay_id = "aps-pay-" + stamp
    paid = call(client, pay_request(pay_id, "1000"), "pay")
    expect(paid, "A", "ACCEPT", "pay")
    payment_id = paid["paymentId"]
    if not paid.get("normalUrl"):
        fail("pay: no normalUrl in " + json.dumps(paid))

    query = query_for(pay_id)
    inquiry = call(client, query, "inquiryPayment")
    expect(inquiry, "S", "SUCCESS", "inquiryPayment")
    if (inquiry.get("paymentResult") or {}).get("resultStatus") != "U":
        fail("inquiryPayment: expected paymentResult U, got " + json.dumps(inquiry))

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
    got = (inquiry.get("paymentResult") or {}).get("resultCode"), inquiry.get("paymentId")
    if got != ("SUCCESS", payment_id):
        fail("inquiryPayment after complete: " + json.dumps(inquiry))

    refund = AlipayRefundRequest()
    refund.refund_request_id = "aps-refund-" + stamp
    refund.payment_request_id = pay_id
    refund.refund_amount = Amount("USD", "400")
    refunded = call(client, refund, "refund")
    expect(refunded, "S", "SUCCESS", "refund")
    refund_id = refunded["refundId"]
    if refunded.get("paymentId") != payment_id:
        fail("refund: the refund is not of the payment: " + json.dumps(refunded))

    for label, ask in (
        ("refundId", InquiryRefundRequest(refund_id=refund_id)),
        ("refundRequestId", InquiryRefundRequest(refund_request_id=refund.refund_request_id)),
    ):
        answer = call(client, ask, "inquiryRefund(%s)" % label)
        expect(answer, "S", "SUCCESS", "inquiryRefund")
        got = (answer.get("refundId"), answer.get("refundStatus"), answer.get("refundAmount"))
        if got != (refund_id, "SUCCESS", {"currency": "USD", "value": "400"}):
            fail("inquiryRefund(%s): %s" % (label, json.dumps(answer)))

    second = call(client, pay_request("aps-cancel-" + stamp, "500"), "pay")
    expect(second, "A", "ACCEPT", "pay (second)")
    cancel = AlipayCancelPaymentRequest()
    cancel.payment_request_id = "aps-cancel-" + stamp
    cancelled = call(client, cancel, "cancelPayment")
    expect(cancelled, "S", "SUCCESS", "cancelPayment")
    if cancelled.get("paymentId") != second["paymentId"]:
        fail("cancelPayment: " + json.dumps(cancelled))
    inquiry = call(client, query_for("aps-cancel-" + stamp), "inquiryPayment(cancelled)")
    if (inquiry.get("paymentResult") or {}).get("resultCode") != "ORDER_IS_CLOSED":
        fail("inquiryPayment after cancel: " + json.dumps(inquiry))

    # The SDK verifies the sandbox's signature: with another wallet key it rejects the answer.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    other_pem = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    wrong_wallet = DefaultAlipayClient(base, client_id, merchant_key, body_of(other_pem))
    try:
        wrong_wallet.execute(query)
        fail("a client holding the wrong wallet key accepted the sandbox's answer")
    except AlipayApiException as e:
        print("wrong wallet key: rejected (%s)" % str(e).strip())

    # The sandbox verifies the SDK's signature: a request signed with another key is refused,
    # unsigned, so the SDK finds no signature to trust.
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger_key = body_of(
        stranger.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
    )
    wrong_merchant = DefaultAlipayClient(base, client_id, stranger_key, wallet_key)
    try:
        wrong_merchant.execute(query)
        fail("the sandbox answered a request signed with the wrong merchant key")
    except AlipayApiException as e:
        print("wrong merchant key: refused (%s)" % str(e).strip())

    print("ALIPAYPLUS SDK FLOW OK")


if __name__ == "__main__":
    main()
