//! The request bodies of the open API, one serde struct per call (`camelCase`, unknown fields
//! ignored: be liberal in what you accept). Every field is optional at the serde level; a type
//! error (a number where a string goes, a string where an object goes) is reported by
//! [`parse`] with the field's path (`order.buyer.referenceBuyerId: must be a string`), and the
//! rules — required, length in characters, `""` meaning absent for an optional id, amounts —
//! are checked by the readers below, which name the field the same way.
//!
//! A body with several faults reports its type errors first (in key order), then the rules.

use std::fmt;

use serde::de::{self, value::MapAccessDeserializer, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::envelope::ApiError;

/// Deserialises `json` into `T`; a type error becomes `PARAM_ILLEGAL` `"<path>: <problem>"`.
pub(super) fn parse<T: DeserializeOwned>(json: &Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        ApiError::param(format!("{path}: {}", e.into_inner()))
    })
}

/// A string field: absent or `null` → `None`, another type → "must be a string".
fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_string()))
        }
        fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
            Ok(Some(s))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom("must be a string"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom("must be a string"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom("must be a string"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom("must be a string"))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom("must be a string"))
        }
        fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom("must be a string"))
        }
    }
    d.deserialize_any(V)
}

/// An object field: absent or `null` → `None`, another type → "must be an object"; the fields
/// inside keep their paths (`order.merchant.merchantName`).
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(E::custom("must be an object"))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom("must be an object"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom("must be an object"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom("must be an object"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom("must be an object"))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom("must be an object"))
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// `pay`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayBody {
    /// Required unless `paymentFactor` is given; every product code pays through the same
    /// cashier.
    #[serde(default, deserialize_with = "string")]
    pub product_code: Option<String>,
    /// Alipay+'s way of naming the product (`isCashierPayment`, …) instead of `productCode`;
    /// any object of flags.
    #[serde(default, deserialize_with = "object")]
    pub payment_factor: Option<Map<String, Value>>,
    /// Required.
    #[serde(default, deserialize_with = "string")]
    pub payment_request_id: Option<String>,
    /// Required; checked by [`crate::domain::amount::Amount::parse`].
    #[serde(default)]
    pub payment_amount: Option<Value>,
    /// Required.
    #[serde(default, deserialize_with = "object")]
    pub order: Option<OrderBody>,
    /// ISO 8601 with an offset, in the future.
    #[serde(default, deserialize_with = "string")]
    pub payment_expiry_time: Option<String>,
    /// Absolute http(s).
    #[serde(default, deserialize_with = "string")]
    pub payment_notify_url: Option<String>,
    /// Absolute http(s).
    #[serde(default, deserialize_with = "string")]
    pub payment_redirect_url: Option<String>,
    /// The buyer, when not in `order.buyer`.
    #[serde(default, deserialize_with = "string")]
    pub user_id: Option<String>,
}

/// `pay`'s `order`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderBody {
    /// Required.
    #[serde(default, deserialize_with = "string")]
    pub order_description: Option<String>,
    /// Checked when present.
    #[serde(default)]
    pub order_amount: Option<Value>,
    /// Optional id.
    #[serde(default, deserialize_with = "string")]
    pub reference_order_id: Option<String>,
    /// `order.merchant`.
    #[serde(default, deserialize_with = "object")]
    pub merchant: Option<MerchantBody>,
    /// `order.buyer`.
    #[serde(default, deserialize_with = "object")]
    pub buyer: Option<BuyerBody>,
}

/// `pay`'s `order.merchant`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantBody {
    /// Shown by the cashier (else the merchant's registered name).
    #[serde(default, deserialize_with = "string")]
    pub merchant_name: Option<String>,
    /// Optional id, unused.
    #[serde(default, deserialize_with = "string")]
    pub reference_merchant_id: Option<String>,
}

/// `pay`'s `order.buyer`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyerBody {
    /// The buyer's `customerId`.
    #[serde(default, deserialize_with = "string")]
    pub reference_buyer_id: Option<String>,
    /// Same, older spelling.
    #[serde(default, deserialize_with = "string")]
    pub buyer_id: Option<String>,
}

/// `inquiryPayment` and `cancel`: one of the two ids.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLookupBody {
    /// Optional id.
    #[serde(default, deserialize_with = "string")]
    pub payment_id: Option<String>,
    /// Optional id.
    #[serde(default, deserialize_with = "string")]
    pub payment_request_id: Option<String>,
}

/// `refund`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundBody {
    /// Required.
    #[serde(default, deserialize_with = "string")]
    pub refund_request_id: Option<String>,
    /// This or `paymentRequestId` is required (`paymentId` wins when both are given).
    #[serde(default, deserialize_with = "string")]
    pub payment_id: Option<String>,
    /// The payment by the merchant's own id, as Alipay+'s SDK refunds.
    #[serde(default, deserialize_with = "string")]
    pub payment_request_id: Option<String>,
    /// Required; checked by [`crate::domain::amount::Amount::parse`].
    #[serde(default)]
    pub refund_amount: Option<Value>,
    /// At most 256 characters.
    #[serde(default, deserialize_with = "string")]
    pub refund_reason: Option<String>,
    /// Absolute http(s).
    #[serde(default, deserialize_with = "string")]
    pub refund_notify_url: Option<String>,
}

/// `inquiryRefund`: one of the two ids.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundLookupBody {
    /// Optional id.
    #[serde(default, deserialize_with = "string")]
    pub refund_id: Option<String>,
    /// Optional id.
    #[serde(default, deserialize_with = "string")]
    pub refund_request_id: Option<String>,
}

/// `applyToken`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyTokenBody {
    /// Required: `AUTHORIZATION_CODE` or `REFRESH_TOKEN`.
    #[serde(default, deserialize_with = "string")]
    pub grant_type: Option<String>,
    /// Required for `AUTHORIZATION_CODE`.
    #[serde(default, deserialize_with = "string")]
    pub auth_code: Option<String>,
    /// Required for `REFRESH_TOKEN`.
    #[serde(default, deserialize_with = "string")]
    pub refresh_token: Option<String>,
}

/// `inquiryUserInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfoBody {
    /// Required.
    #[serde(default, deserialize_with = "string")]
    pub access_token: Option<String>,
}

// ---- rules ---------------------------------------------------------------------------------

/// A required string: present, at most `max` characters, not blank.
pub(super) fn required<'a>(
    value: &'a Option<String>,
    path: &str,
    max: usize,
) -> Result<&'a str, ApiError> {
    let s = value
        .as_deref()
        .ok_or_else(|| ApiError::param(format!("{path}: is required")))?;
    check_len(s, path, max)?;
    if s.trim().is_empty() {
        return Err(ApiError::param(format!("{path}: must not be empty")));
    }
    Ok(s)
}

/// An optional id: `""` is absent (clients that serialise every field of a struct send `""`
/// for the id they do not know).
pub fn id(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// At most `max` characters.
pub(super) fn check_len(s: &str, path: &str, max: usize) -> Result<(), ApiError> {
    if s.chars().count() > max {
        return Err(ApiError::param(format!(
            "{path}: longer than {max} characters"
        )));
    }
    Ok(())
}

/// An optional absolute http(s) URL of at most 2048 characters.
pub(super) fn url(value: &Option<String>, path: &str) -> Result<Option<String>, ApiError> {
    let Some(s) = value.as_deref() else {
        return Ok(None);
    };
    check_len(s, path, 2048)?;
    match reqwest::Url::parse(s) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => {
            Ok(Some(s.to_string()))
        }
        _ => Err(ApiError::param(format!(
            "{path}: must be an absolute http(s) URL, got {s:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::payments::parse_pay;
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn pay_body() -> Value {
        json!({"productCode":"CASHIER_PAYMENT","paymentRequestId":"r1",
            "paymentAmount":{"currency":"USD","value":"100"},"order":{"orderDescription":"x"}})
    }

    /// `pay` bodies, each with one fault, and the `PARAM_ILLEGAL` message naming it.
    #[test]
    fn a_bad_pay_body_names_its_field() {
        let digits = "must be a string of digits in the currency's minor unit";
        let cases: Vec<(&str, Value, String)> = vec![
            (
                "/productCode",
                Value::Null,
                "productCode: is required".into(),
            ),
            (
                "/productCode",
                json!(7),
                "productCode: must be a string".into(),
            ),
            (
                "/paymentRequestId",
                json!("é".repeat(65)),
                "paymentRequestId: longer than 64 characters".into(),
            ),
            (
                "/paymentRequestId",
                json!("  "),
                "paymentRequestId: must not be empty".into(),
            ),
            (
                "/paymentRequestId",
                json!(["r1"]),
                "paymentRequestId: must be a string".into(),
            ),
            (
                "/paymentAmount",
                Value::Null,
                "paymentAmount: is required".into(),
            ),
            (
                "/paymentAmount",
                json!("100"),
                "paymentAmount: must be an object { currency, value }".into(),
            ),
            (
                "/paymentAmount/currency",
                json!(840),
                "paymentAmount.currency: must be a string".into(),
            ),
            (
                "/paymentAmount/value",
                json!(100),
                format!("paymentAmount.value: {digits}, e.g. \"1000\""),
            ),
            (
                "/paymentAmount/value",
                json!("1.5"),
                format!("paymentAmount.value: {digits}, got \"1.5\""),
            ),
            (
                "/paymentAmount/value",
                json!("99999999999999999999"),
                "paymentAmount.value: is over the sandbox cap of ".into(),
            ),
            ("/order", Value::Null, "order: is required".into()),
            ("/order", json!("x"), "order: must be an object".into()),
            ("/order", json!([1]), "order: must be an object".into()),
            (
                "/order/orderDescription",
                Value::Null,
                "order.orderDescription: is required".into(),
            ),
            (
                "/order/orderDescription",
                json!(false),
                "order.orderDescription: must be a string".into(),
            ),
            (
                "/order/orderDescription",
                json!("d".repeat(257)),
                "order.orderDescription: longer than 256 characters".into(),
            ),
            (
                "/order/orderAmount",
                json!({"currency":"USD","value":5}),
                format!("order.orderAmount.value: {digits}, e.g. \"1000\""),
            ),
            (
                "/order/orderAmount",
                json!({"value":"5"}),
                "order.orderAmount.currency: is required".into(),
            ),
            (
                "/order/referenceOrderId",
                json!("o".repeat(65)),
                "order.referenceOrderId: longer than 64 characters".into(),
            ),
            (
                "/order/referenceOrderId",
                json!(1.5),
                "order.referenceOrderId: must be a string".into(),
            ),
            (
                "/order/merchant",
                json!("nope"),
                "order.merchant: must be an object".into(),
            ),
            (
                "/order/merchant",
                json!({"merchantName": 5}),
                "order.merchant.merchantName: must be a string".into(),
            ),
            (
                "/order/merchant",
                json!({"referenceMerchantId": {}}),
                "order.merchant.referenceMerchantId: must be a string".into(),
            ),
            (
                "/order/buyer",
                json!(true),
                "order.buyer: must be an object".into(),
            ),
            (
                "/order/buyer",
                json!({"referenceBuyerId": 5}),
                "order.buyer.referenceBuyerId: must be a string".into(),
            ),
            (
                "/order/buyer",
                json!({"buyerId": [5]}),
                "order.buyer.buyerId: must be a string".into(),
            ),
            ("/userId", json!(7), "userId: must be a string".into()),
            (
                "/paymentExpiryTime",
                json!(1_700_000_000),
                "paymentExpiryTime: must be a string".into(),
            ),
            (
                "/paymentExpiryTime",
                json!("tomorrow"),
                "paymentExpiryTime: \"tomorrow\" is not an ISO 8601 time with an offset".into(),
            ),
            (
                "/paymentExpiryTime",
                json!("2000-01-01T00:00:00+00:00"),
                "paymentExpiryTime: 2000-01-01T00:00:00+00:00 is in the past".into(),
            ),
            (
                "/paymentNotifyUrl",
                json!("ftp://m.example/n"),
                "paymentNotifyUrl: must be an absolute http(s) URL, got \"ftp://m.example/n\""
                    .into(),
            ),
            (
                "/paymentNotifyUrl",
                json!(5),
                "paymentNotifyUrl: must be a string".into(),
            ),
            (
                "/paymentRedirectUrl",
                json!(format!("https://m.example/{}", "p".repeat(2048))),
                "paymentRedirectUrl: longer than 2048 characters".into(),
            ),
        ];
        for (pointer, value, want) in cases {
            let mut body = pay_body();
            match body.pointer_mut(pointer) {
                Some(slot) => *slot = value.clone(),
                None => {
                    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
                    body.pointer_mut(parent).unwrap()[key] = value.clone();
                }
            }
            let e = parse_pay(&obj(body), 1_800_000_000_000).unwrap_err();
            assert_eq!(e.code, "PARAM_ILLEGAL", "{pointer} = {value}");
            assert!(
                e.message.starts_with(&want),
                "{pointer} = {value}: got {:?}, want {want:?}",
                e.message
            );
        }
    }

    /// Unknown fields are ignored, `null` is absent, `""` in an optional id is absent, lengths
    /// count characters.
    #[test]
    fn a_liberal_pay_body_is_accepted() {
        let mut body = pay_body();
        body["unknown"] = json!({"deep": [1, {"x": null}]});
        body["paymentNotifyUrl"] = Value::Null;
        body["paymentRequestId"] = json!("é".repeat(64));
        body["order"]["referenceOrderId"] = json!("");
        body["order"]["buyer"] = json!({"referenceBuyerId": "", "somethingElse": 1});
        body["order"]["merchant"] = json!({"merchantName": "Café"});
        body["order"]["orderAmount"] = Value::Null;
        let req = parse_pay(&obj(body), 0).unwrap();
        assert_eq!(req.reference_order_id, None);
        assert_eq!(req.buyer_id, None);
        assert_eq!(req.merchant_name.as_deref(), Some("Café"));
        assert_eq!(req.notify_url, None);
        assert_eq!(req.amount.value(), 100);
    }

    /// The other calls' bodies: a type error names the field.
    #[test]
    fn the_other_bodies_name_a_field_of_the_wrong_type() {
        fn msg<T: DeserializeOwned + fmt::Debug>(v: Value) -> String {
            parse::<T>(&obj(v)).unwrap_err().message
        }
        assert_eq!(
            msg::<PaymentLookupBody>(json!({"paymentId": {}})),
            "paymentId: must be a string"
        );
        assert_eq!(
            msg::<PaymentLookupBody>(json!({"paymentRequestId": 1})),
            "paymentRequestId: must be a string"
        );
        assert_eq!(
            msg::<RefundBody>(json!({"refundReason": 1})),
            "refundReason: must be a string"
        );
        assert_eq!(
            msg::<RefundBody>(json!({"refundNotifyUrl": [true]})),
            "refundNotifyUrl: must be a string"
        );
        assert_eq!(
            msg::<RefundLookupBody>(json!({"refundId": false})),
            "refundId: must be a string"
        );
        assert_eq!(
            msg::<ApplyTokenBody>(json!({"grantType": []})),
            "grantType: must be a string"
        );
        assert_eq!(
            msg::<UserInfoBody>(json!({"accessToken": 12})),
            "accessToken: must be a string"
        );
        let ok: RefundBody = parse(&obj(json!({"refundRequestId": "", "x": 1}))).unwrap();
        assert_eq!(id(&ok.refund_request_id), None);
        assert_eq!(
            required(&ok.refund_request_id, "refundRequestId", 64)
                .unwrap_err()
                .message,
            "refundRequestId: must not be empty"
        );
        assert_eq!(
            required(&ok.payment_id, "paymentId", 64)
                .unwrap_err()
                .message,
            "paymentId: is required"
        );
    }
}
