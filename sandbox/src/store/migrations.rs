//! The schema, one migration per entry (`PRAGMA user_version` counts the applied ones).

pub(super) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE merchants (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE mini_programs (
    app_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    merchant_client_id TEXT NOT NULL,
    whitelist TEXT NOT NULL,
    trade_pay_fail_routing INTEGER NOT NULL DEFAULT 0,
    http_error_as_fail INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    payment_request_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    pay_response TEXT NOT NULL,
    token TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_value INTEGER NOT NULL,
    order_description TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    reference_order_id TEXT,
    buyer_id TEXT,
    notify_url TEXT,
    redirect_url TEXT,
    status TEXT NOT NULL,
    fail_reason TEXT,
    method TEXT,
    resolve_at INTEGER,
    resolve_status TEXT,
    resolve_reason TEXT,
    created_at INTEGER NOT NULL,
    expiry_at INTEGER NOT NULL,
    payment_time INTEGER,
    cancel_time INTEGER,
    refunded_value INTEGER NOT NULL DEFAULT 0,
    UNIQUE (client_id, payment_request_id)
);
CREATE INDEX payments_open_expiry ON payments (expiry_at) WHERE status = 'PROCESSING';
CREATE INDEX payments_open_resolve ON payments (resolve_at) WHERE status = 'PROCESSING' AND resolve_at IS NOT NULL;
CREATE INDEX payments_created ON payments (created_at);
CREATE TABLE payment_events (
    id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX payment_events_payment ON payment_events (payment_id);
CREATE TABLE refunds (
    refund_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    refund_request_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_value INTEGER NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (client_id, refund_request_id)
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL,
    url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX notifications_payment ON notifications (payment_id);
CREATE TABLE notification_attempts (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at INTEGER NOT NULL,
    http_status INTEGER,
    response_excerpt TEXT,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    manual INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id);
"#,
    r#"
-- User identity (issue 5): sandbox users, balances, consent decisions with their auth codes,
-- access and refresh tokens, and who paid a payment by balance (refunds credit them back).
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    nick_name TEXT NOT NULL,
    full_name TEXT,
    avatar TEXT,
    mobile TEXT,
    email TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE balances (
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (user_id, currency)
);
CREATE TABLE auth_grants (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    app_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    success_scopes TEXT NOT NULL,
    error_scopes TEXT NOT NULL,
    decision TEXT NOT NULL,
    auth_code TEXT UNIQUE,
    expires_at INTEGER,
    used_at INTEGER
);
CREATE TABLE auth_tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    spent_at INTEGER
);
ALTER TABLE payments ADD COLUMN payer_id TEXT;
INSERT INTO users (user_id, nick_name, full_name, mobile, email, created_at) VALUES
    ('2088000000000001', 'Alice', 'Alice Tan', '+1-202-555-0101', 'alice@example.com', 0),
    ('2088000000000002', 'Bob', 'Bob Reyes', '+1-202-555-0102', 'bob@example.com', 0),
    ('2088000000000003', 'Carol', 'Carol Santos', '+1-202-555-0103', 'carol@example.com', 0);
INSERT INTO balances (user_id, currency, value) VALUES
    ('2088000000000001', 'USD', 100000),
    ('2088000000000001', 'PHP', 5000000),
    ('2088000000000002', 'USD', 500);
"#,
    r#"
-- The launch URL of a mini program (its entry page); its origin is the one origin that may
-- embed the cashier and consent pages for it and use its relay.
ALTER TABLE mini_programs ADD COLUMN url TEXT NOT NULL DEFAULT '';
"#,
    r#"
-- Delivery log (issue 8): an attempt is logged as 'sending' before the request goes out and
-- becomes 'done' when it ends; one left 'sending' by a crash becomes 'interrupted' at start.
-- due_at: when the attempt was due, so the log shows the dispatcher's lag.
ALTER TABLE notification_attempts ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE notification_attempts ADD COLUMN due_at INTEGER;
CREATE INDEX notification_attempts_sending ON notification_attempts (state) WHERE state = 'sending';
"#,
    r#"
-- The profile fields a wallet's inquiryUserInfo reveals under USER_GENDER, USER_BIRTHDAY and
-- USER_NATIONALITY (docs/protocol.md §5b). NULL: the user has none, and the field is left out.
-- The three test users get values; users created before keep theirs NULL.
ALTER TABLE users ADD COLUMN gender TEXT;
ALTER TABLE users ADD COLUMN birth_date TEXT;
ALTER TABLE users ADD COLUMN nationality TEXT;
UPDATE users SET gender = 'F', birth_date = '1990-04-21', nationality = 'US'
    WHERE user_id = '2088000000000001' AND nick_name = 'Alice';
UPDATE users SET gender = 'M', birth_date = '1985-11-02', nationality = 'PH'
    WHERE user_id = '2088000000000002' AND nick_name = 'Bob';
UPDATE users SET gender = 'F', birth_date = '2001-07-15', nationality = 'BR'
    WHERE user_id = '2088000000000003' AND nick_name = 'Carol';
"#,
    r#"
-- Alice also holds IQD 1,000,000.000 (in fils): a mini program of an Iraqi dinar wallet asks for
-- IQD, and with only USD and PHP the first payment of such an app failed INSUFFICIENT_BALANCE.
-- A balance she already has in IQD is kept.
INSERT OR IGNORE INTO balances (user_id, currency, value)
    SELECT user_id, 'IQD', 1000000000 FROM users
    WHERE user_id = '2088000000000001' AND nick_name = 'Alice';
"#,
    r#"
-- The authorizations a user gave a mini program (my.getSetting, my.openSetting): one row per
-- (user, app, scope) that needs consent; granted 1 (allowed) or 0 (declined in the consent
-- page, or turned off in the settings sheet). Filled from the consent decisions recorded
-- before, oldest first so that the latest decision wins.
CREATE TABLE IF NOT EXISTS auth_settings (
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    granted INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, app_id, scope)
);
INSERT OR REPLACE INTO auth_settings (user_id, app_id, scope, granted, updated_at)
    SELECT g.user_id, g.app_id, j.value, g.decision = 'allow', g.created_at
    FROM auth_grants g, json_each(CASE g.decision WHEN 'allow' THEN g.success_scopes
                                                  ELSE g.scopes END) j
    WHERE j.value IN ('auth_user', 'USER_NICKNAME', 'USER_AVATAR', 'USER_NAME',
        'USER_LOGIN_ID', 'HASH_LOGIN_ID', 'PLAINTEXT_USER_LOGIN_ID', 'USER_GENDER',
        'USER_BIRTHDAY', 'USER_NATIONALITY', 'USER_CONTACTINFO', 'PLAINTEXT_MOBILE_PHONE')
    ORDER BY g.id;
"#,
    r#"
-- Trades of the Alipay open platform gateway (/gateway.do, docs/protocol.md §5d): a payment
-- created by alipay.trade.create, for one app_id, under the merchant's out_trade_no. trade_no
-- is the payment's id. The merchant's notify_url is kept here, not on the payment, because a
-- trade is notified in the gateway's form (trade_status_sync), not as notifyPayment.
CREATE TABLE IF NOT EXISTS trades (
    trade_no TEXT PRIMARY KEY REFERENCES payments(payment_id),
    app_id TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    notify_url TEXT,
    create_response TEXT NOT NULL,
    UNIQUE (app_id, out_trade_no)
);
"#,
    r#"
-- The outbox carries two message formats: 'open_api' (notifyPayment / notifyRefund, a JSON body
-- signed in headers) and 'trade_status_sync' (a gateway trade's form-encoded notification,
-- whose body column holds its unsigned parameters as a JSON object; docs/protocol.md §5d).
ALTER TABLE notifications ADD COLUMN format TEXT NOT NULL DEFAULT 'open_api';
"#,
];
