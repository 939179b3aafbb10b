//! The payment state machine and what decides an outcome: the cashier method, magic amounts,
//! and the headless `complete` call. Plain functions; the store applies them in one transaction.
//!
//! ```text
//! PROCESSING ──confirm/complete──▶ SUCCESS | FAIL        (notified)
//!     │  └─confirm (pending)──▶ PROCESSING ──delay──▶ SUCCESS | FAIL (notified)
//!     ├─merchant cancel──▶ CANCELLED                      (not notified)
//!     └─paymentExpiryTime──▶ FAIL "PAYMENT_EXPIRED"        (notified)
//! ```
//! Final states never change.

use std::fmt;
use std::str::FromStr;

use crate::domain::amount::Amount;

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Created, cashier not confirmed yet, or confirmed and pending.
    Processing,
    /// Paid (final, notified).
    Success,
    /// Declined or expired (final, notified).
    Fail,
    /// Cancelled by the merchant (final, not notified).
    Cancelled,
}

impl PaymentStatus {
    /// Wire name: `PROCESSING`, `SUCCESS`, `FAIL`, `CANCELLED`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Processing => "PROCESSING",
            PaymentStatus::Success => "SUCCESS",
            PaymentStatus::Fail => "FAIL",
            PaymentStatus::Cancelled => "CANCELLED",
        }
    }

    /// True for states that never change.
    pub fn is_final(self) -> bool {
        self != PaymentStatus::Processing
    }

    /// True for final states the merchant is notified of.
    pub fn is_notified(self) -> bool {
        matches!(self, PaymentStatus::Success | PaymentStatus::Fail)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "PROCESSING" => Ok(PaymentStatus::Processing),
            "SUCCESS" => Ok(PaymentStatus::Success),
            "FAIL" => Ok(PaymentStatus::Fail),
            "CANCELLED" => Ok(PaymentStatus::Cancelled),
            _ => Err(()),
        }
    }
}

/// Fail reason of a payment not paid by its `paymentExpiryTime`.
pub const REASON_EXPIRED: &str = "PAYMENT_EXPIRED";
/// Fail reason of the cashier's declined card.
pub const REASON_CARD_DECLINED: &str = "CARD_DECLINED";
/// Fail reason of a bank transfer that bounced (magic amount 8001).
pub const REASON_TRANSFER_FAILED: &str = "BANK_TRANSFER_FAILED";

/// A payment method the user picks in the cashier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CashierMethod {
    /// Wallet balance: paid at once.
    Balance,
    /// A card that is declined: FAIL `CARD_DECLINED`.
    DeclinedCard,
    /// Bank transfer: PROCESSING, then SUCCESS after the pending delay.
    BankTransfer,
}

impl FromStr for CashierMethod {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "BALANCE" => Ok(CashierMethod::Balance),
            "DECLINED_CARD" => Ok(CashierMethod::DeclinedCard),
            "BANK_TRANSFER" => Ok(CashierMethod::BankTransfer),
            _ => Err(()),
        }
    }
}

impl CashierMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            CashierMethod::Balance => "BALANCE",
            CashierMethod::DeclinedCard => "DECLINED_CARD",
            CashierMethod::BankTransfer => "BANK_TRANSFER",
        }
    }
}

/// What a confirmation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Final now.
    Final {
        /// SUCCESS or FAIL.
        status: PaymentStatus,
        /// Set for FAIL.
        fail_reason: Option<String>,
    },
    /// Stays PROCESSING; resolves to `then` after the pending delay (None: never, so the
    /// payment expires).
    Pending {
        /// The final state reached after the delay.
        then: Option<(PaymentStatus, Option<String>)>,
    },
}

impl Outcome {
    fn success() -> Outcome {
        Outcome::Final {
            status: PaymentStatus::Success,
            fail_reason: None,
        }
    }
    fn fail(reason: &str) -> Outcome {
        Outcome::Final {
            status: PaymentStatus::Fail,
            fail_reason: Some(reason.to_string()),
        }
    }
}

/// What a magic amount does to `pay` itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayBehaviour {
    /// Answer normally.
    Normal,
    /// Create the payment but answer `U`/`UNKNOWN_EXCEPTION` (a retry with the same body gets
    /// the normal answer).
    Unknown,
    /// Answer normally after the slow-response delay.
    Slow,
}

/// Magic amounts (the `value` string, any currency), like test card numbers. Documented in
/// README.md; the mnemonic is the tradePay `resultCode`.
pub fn forced_outcome(value: i64) -> Option<Outcome> {
    match value {
        9000 => Some(Outcome::success()),
        4000 => Some(Outcome::fail("PAYMENT_DECLINED")),
        4001 => Some(Outcome::fail("USER_BALANCE_NOT_ENOUGH")),
        4002 => Some(Outcome::fail("RISK_REJECT")),
        4003 => Some(Outcome::fail("USER_PAYMENT_VERIFICATION_FAILED")),
        4004 => Some(Outcome::fail("CARD_EXPIRED")),
        8000 => Some(Outcome::Pending {
            then: Some((PaymentStatus::Success, None)),
        }),
        8001 => Some(Outcome::Pending {
            then: Some((
                PaymentStatus::Fail,
                Some(REASON_TRANSFER_FAILED.to_string()),
            )),
        }),
        8002 => Some(Outcome::Pending { then: None }),
        _ => None,
    }
}

/// What `pay` does for a given amount value.
pub fn pay_behaviour(value: i64) -> PayBehaviour {
    match value {
        6004 => PayBehaviour::Unknown,
        6002 => PayBehaviour::Slow,
        _ => PayBehaviour::Normal,
    }
}

/// The outcome of a cashier confirmation with `method` for an amount `value`: a magic amount
/// wins over the method.
pub fn confirm_outcome(value: i64, method: CashierMethod) -> Outcome {
    if let Some(forced) = forced_outcome(value) {
        return forced;
    }
    match method {
        CashierMethod::Balance => Outcome::success(),
        CashierMethod::DeclinedCard => Outcome::fail(REASON_CARD_DECLINED),
        CashierMethod::BankTransfer => Outcome::Pending {
            then: Some((PaymentStatus::Success, None)),
        },
    }
}

/// The outcome asked for by the headless `POST /sandbox/payments/{id}/complete` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompleteOutcome {
    /// Pay it.
    Success,
    /// Fail it with a reason (default `PAYMENT_DECLINED`).
    Fail(String),
    /// Mark it confirmed and pending; resolves to SUCCESS after the pending delay.
    Pending,
    /// Fail it now as if `paymentExpiryTime` had passed.
    Expire,
}

impl CompleteOutcome {
    /// Parses `SUCCESS | FAIL | PENDING | EXPIRED` (case-insensitive; `paid`, `failed` too).
    pub fn parse(outcome: &str, fail_reason: Option<&str>) -> Option<CompleteOutcome> {
        match outcome.to_ascii_uppercase().as_str() {
            "SUCCESS" | "PAID" => Some(CompleteOutcome::Success),
            "FAIL" | "FAILED" => Some(CompleteOutcome::Fail(
                fail_reason
                    .filter(|r| !r.is_empty())
                    .unwrap_or("PAYMENT_DECLINED")
                    .to_string(),
            )),
            "PENDING" | "PROCESSING" => Some(CompleteOutcome::Pending),
            "EXPIRED" | "EXPIRE" => Some(CompleteOutcome::Expire),
            _ => None,
        }
    }

    /// As an [`Outcome`].
    pub fn to_outcome(&self) -> Outcome {
        match self {
            CompleteOutcome::Success => Outcome::success(),
            CompleteOutcome::Fail(reason) => Outcome::fail(reason),
            CompleteOutcome::Pending => Outcome::Pending {
                then: Some((PaymentStatus::Success, None)),
            },
            CompleteOutcome::Expire => Outcome::fail(REASON_EXPIRED),
        }
    }
}

/// A payment as stored: what `pay` asked for, and where the state machine has taken it.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    /// The wallet's id (`2026…`, [`new_payment_id`](crate::domain::ids::new_payment_id)).
    pub payment_id: String,
    /// The merchant that created it; no other may read or change it.
    pub client_id: String,
    /// Merchant's idempotency key.
    pub payment_request_id: String,
    /// Cashier token (unguessable).
    pub token: String,
    pub amount: Amount,
    /// `order.orderDescription`.
    pub order_description: String,
    /// Payee shown in the cashier.
    pub merchant_name: String,
    /// `order.referenceOrderId`.
    pub reference_order_id: Option<String>,
    /// `order.buyer.referenceBuyerId`.
    pub buyer_id: Option<String>,
    /// `paymentNotifyUrl`.
    pub notify_url: Option<String>,
    /// `paymentRedirectUrl`.
    pub redirect_url: Option<String>,
    pub status: PaymentStatus,
    /// Set for FAIL.
    pub fail_reason: Option<String>,
    /// Cashier method chosen, if confirmed.
    pub method: Option<String>,
    /// When a pending payment resolves by itself.
    pub resolve_at: Option<i64>,
    /// When `pay` created it (ms).
    pub created_at: i64,
    /// `paymentExpiryTime` (ms).
    pub expiry_at: i64,
    /// When it became SUCCESS or FAIL (ms).
    pub payment_time: Option<i64>,
    /// When it was cancelled (ms).
    pub cancel_time: Option<i64>,
    /// Sum of refunds (minor units).
    pub refunded_value: i64,
}

/// Who confirms a payment, which decides whether a payment already confirmed and pending may
/// be confirmed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmer {
    /// The cashier page, with the method the user chose: once per payment.
    Cashier(CashierMethod),
    /// `POST /sandbox/payments/{id}/complete`: may also finish a pending payment.
    Headless,
}

impl Confirmer {
    /// The method recorded on the payment (`BALANCE`, …, or `HEADLESS`).
    pub fn method(self) -> &'static str {
        match self {
            Confirmer::Cashier(m) => m.as_str(),
            Confirmer::Headless => "HEADLESS",
        }
    }
}

/// What time alone does to an open payment ([`PaymentRow::due`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Its pending resolution came, at this time.
    Resolve(i64),
    /// It expired, at this time.
    Expire(i64),
}

/// Why a refund is refused ([`PaymentRow::check_refund`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefusal {
    /// The payment is not SUCCESS.
    NotSuccess,
    /// The refund is in another currency than the payment.
    CurrencyMismatch,
    /// More than is left to refund (what is left).
    Exceeds(i64),
}

impl PaymentRow {
    /// Whether time alone decides this payment at `now`: it is open and its expiry or its
    /// pending resolution has come.
    pub fn is_due(&self, now: i64) -> bool {
        self.status == PaymentStatus::Processing
            && (self.expiry_at <= now || self.resolve_at.is_some_and(|at| at <= now))
    }

    /// Whether `by` may confirm it: never once final; the cashier only once (a confirmed
    /// payment is pending), the headless `complete` also a pending one.
    pub fn confirmable_by(&self, by: Confirmer) -> bool {
        !self.status.is_final() && (self.method.is_none() || by == Confirmer::Headless)
    }

    /// What time alone decides at `now`, if anything: the pending resolution when it came
    /// before the expiry, else the expiry (at the expiry time, never before creation).
    pub fn due(&self, now: i64) -> Option<Due> {
        if self.status != PaymentStatus::Processing {
            return None;
        }
        if let Some(at) = self.resolve_at {
            if at <= now && at < self.expiry_at {
                return Some(Due::Resolve(at));
            }
        }
        (self.expiry_at <= now).then(|| Due::Expire(self.expiry_at.max(self.created_at)))
    }

    /// Makes an open payment `status` at `now`: the fail reason is kept only for FAIL, a
    /// cancel sets `cancel_time`, anything else `payment_time`, and nothing stays pending.
    pub fn finish(&mut self, status: PaymentStatus, fail_reason: Option<String>, now: i64) {
        self.status = status;
        self.fail_reason = if status == PaymentStatus::Fail {
            fail_reason
        } else {
            None
        };
        self.resolve_at = None;
        match status {
            PaymentStatus::Cancelled => self.cancel_time = Some(now),
            _ => self.payment_time = Some(now),
        }
    }

    /// What is left to refund (minor units, never below 0).
    pub fn refundable(&self) -> i64 {
        self.amount
            .value()
            .saturating_sub(self.refunded_value)
            .max(0)
    }

    /// Whether `amount` may be refunded: only a SUCCESS payment, in its currency, up to what
    /// is left.
    pub fn check_refund(&self, amount: Amount) -> Result<(), RefundRefusal> {
        if self.status != PaymentStatus::Success {
            return Err(RefundRefusal::NotSuccess);
        }
        if amount.currency() != self.amount.currency() {
            return Err(RefundRefusal::CurrencyMismatch);
        }
        let left = self.refundable();
        if amount.value() > left {
            return Err(RefundRefusal::Exceeds(left));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_decides_when_amount_is_ordinary() {
        assert_eq!(
            confirm_outcome(1000, CashierMethod::Balance),
            Outcome::success()
        );
        assert_eq!(
            confirm_outcome(1000, CashierMethod::DeclinedCard),
            Outcome::fail(REASON_CARD_DECLINED)
        );
        assert!(matches!(
            confirm_outcome(1000, CashierMethod::BankTransfer),
            Outcome::Pending {
                then: Some((PaymentStatus::Success, None))
            }
        ));
    }

    #[test]
    fn magic_amount_wins_over_method() {
        assert_eq!(
            confirm_outcome(4001, CashierMethod::Balance),
            Outcome::fail("USER_BALANCE_NOT_ENOUGH")
        );
        assert_eq!(
            confirm_outcome(9000, CashierMethod::DeclinedCard),
            Outcome::success()
        );
        assert!(matches!(
            confirm_outcome(8002, CashierMethod::Balance),
            Outcome::Pending { then: None }
        ));
        assert_eq!(pay_behaviour(6004), PayBehaviour::Unknown);
        assert_eq!(pay_behaviour(1000), PayBehaviour::Normal);
    }

    #[test]
    fn only_success_and_fail_are_notified() {
        assert!(PaymentStatus::Success.is_notified());
        assert!(PaymentStatus::Fail.is_notified());
        assert!(!PaymentStatus::Cancelled.is_notified());
        assert!(!PaymentStatus::Processing.is_final());
        for s in ["PROCESSING", "SUCCESS", "FAIL", "CANCELLED"] {
            assert_eq!(s.parse::<PaymentStatus>().unwrap().as_str(), s);
        }
    }

    #[test]
    fn complete_outcomes_parse() {
        assert_eq!(
            CompleteOutcome::parse("success", None),
            Some(CompleteOutcome::Success)
        );
        assert_eq!(
            CompleteOutcome::parse("FAIL", Some("RISK_REJECT")),
            Some(CompleteOutcome::Fail("RISK_REJECT".into()))
        );
        assert_eq!(CompleteOutcome::parse("nope", None), None);
    }

    fn open_row() -> PaymentRow {
        PaymentRow {
            payment_id: "p".into(),
            client_id: "c".into(),
            payment_request_id: "r".into(),
            token: "t".into(),
            amount: Amount::new(
                crate::domain::amount::Currency::from_code("USD").unwrap(),
                1000,
            ),
            order_description: "o".into(),
            merchant_name: "m".into(),
            reference_order_id: None,
            buyer_id: None,
            notify_url: None,
            redirect_url: None,
            status: PaymentStatus::Processing,
            fail_reason: None,
            method: None,
            resolve_at: None,
            created_at: 100,
            expiry_at: 1000,
            payment_time: None,
            cancel_time: None,
            refunded_value: 0,
        }
    }

    #[test]
    fn time_decides_the_resolution_before_the_expiry_and_nothing_once_final() {
        let mut row = open_row();
        assert_eq!(row.due(999), None);
        assert_eq!(row.due(1000), Some(Due::Expire(1000)));
        row.resolve_at = Some(500);
        assert_eq!(row.due(499), None);
        assert_eq!(row.due(2000), Some(Due::Resolve(500)));
        // A resolution not before the expiry never wins.
        row.resolve_at = Some(1000);
        assert_eq!(row.due(2000), Some(Due::Expire(1000)));
        row.finish(PaymentStatus::Success, Some("ignored".into()), 600);
        assert_eq!(
            (row.fail_reason.clone(), row.payment_time, row.resolve_at),
            (None, Some(600), None)
        );
        assert_eq!(row.due(5000), None);
        let mut cancelled = open_row();
        cancelled.finish(PaymentStatus::Cancelled, None, 700);
        assert_eq!(
            (cancelled.cancel_time, cancelled.payment_time),
            (Some(700), None)
        );
    }

    #[test]
    fn refunds_only_of_a_success_in_its_currency_up_to_what_is_left() {
        let usd = |v| {
            Amount::new(
                crate::domain::amount::Currency::from_code("USD").unwrap(),
                v,
            )
        };
        let mut row = open_row();
        assert_eq!(row.check_refund(usd(1)), Err(RefundRefusal::NotSuccess));
        row.status = PaymentStatus::Success;
        row.refunded_value = 600;
        assert_eq!(row.check_refund(usd(400)), Ok(()));
        assert_eq!(row.check_refund(usd(401)), Err(RefundRefusal::Exceeds(400)));
        let other = Amount::new(
            crate::domain::amount::Currency::from_code("JPY").unwrap(),
            1,
        );
        assert_eq!(
            row.check_refund(other),
            Err(RefundRefusal::CurrencyMismatch)
        );
        row.refunded_value = i64::MIN;
        assert_eq!(row.refundable(), i64::MAX);
    }
}
