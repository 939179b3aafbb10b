//! Users, balances, the signed-in user, consent decisions and auth codes, tokens. Decisions (is
//! this code still good?) are `domain::identity`'s; this module only reads and writes, each
//! state change in one transaction.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::balances::*;
use super::*;
use crate::domain::clock;

/// A consent decision, with the auth code it minted (if allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// When (ms).
    pub created_at: i64,
    /// The mini program.
    pub app_id: String,
    /// Its merchant when the code was minted (codes and tokens are bound to it).
    pub client_id: String,
    /// The signed-in user who decided.
    pub user_id: String,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    pub success_scopes: Vec<String>,
    /// Scopes refused, with their codes.
    pub error_scopes: std::collections::BTreeMap<String, String>,
    /// `allow` or `deny`.
    pub decision: String,
    /// The code, when one was minted.
    pub auth_code: Option<String>,
    /// When the code expires (ms).
    pub expires_at: Option<i64>,
    /// When the code was redeemed (ms).
    pub used_at: Option<i64>,
}

/// A new access + refresh token pair to store.
#[derive(Debug, Clone)]
pub struct NewTokens {
    pub access_token: String,
    /// Its expiry (ms).
    pub access_expires_at: i64,
    pub refresh_token: String,
    /// Its expiry (ms).
    pub refresh_expires_at: i64,
}

/// Token kinds in `auth_tokens.kind`.
pub(super) const ACCESS: &str = "ACCESS";
pub(super) const REFRESH: &str = "REFRESH";

pub(super) fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub(super) fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

pub(super) fn load_user(c: &Connection, user_id: &str) -> rusqlite::Result<Option<UserRow>> {
    let Some(mut user) = one(
        c,
        "SELECT user_id, nick_name, full_name, avatar, mobile, email, gender, birth_date, \
         nationality FROM users WHERE user_id = ?1",
        params![user_id],
        |r| {
            Ok(UserRow {
                user_id: r.get(0)?,
                nick_name: r.get(1)?,
                full_name: r.get(2)?,
                avatar: r.get(3)?,
                mobile: r.get(4)?,
                email: r.get(5)?,
                gender: r.get(6)?,
                birth_date: r.get(7)?,
                nationality: r.get(8)?,
                balances: Default::default(),
                invalid_balances: Default::default(),
            })
        },
    )
    .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT currency, value FROM balances WHERE user_id = ?1 ORDER BY currency",
    )?;
    let rows = stmt.query_map(params![user_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            StoredBalance::from(r.get::<_, SqlValue>(1)?),
        ))
    })?;
    for row in rows {
        match row? {
            (currency, StoredBalance::Valid(v)) => {
                user.balances.insert(currency, v);
            }
            (currency, StoredBalance::Invalid(raw)) => {
                user.invalid_balances.insert(currency, raw);
            }
        }
    }
    Ok(Some(user))
}

pub(super) fn insert_tokens(
    tx: &Connection,
    c: &Credential,
    t: &NewTokens,
    now: i64,
) -> rusqlite::Result<()> {
    let scopes = json_list(&c.scopes);
    for (token, kind, expires) in [
        (&t.access_token, ACCESS, t.access_expires_at),
        (&t.refresh_token, REFRESH, t.refresh_expires_at),
    ] {
        exec(
            tx,
            "INSERT INTO auth_tokens (token, kind, client_id, app_id, user_id, scopes, created_at, \
             expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![token, kind, c.client_id, c.app_id, c.user_id, scopes, now, expires],
        )?;
    }
    Ok(())
}

/// Reads `client_id, app_id, user_id, scopes, expires_at, used` (in that order) as a
/// credential; a code without an expiry reads as 0.
pub(super) fn credential_from_row(r: &Row<'_>) -> rusqlite::Result<Credential> {
    let scopes: String = r.get(3)?;
    Ok(Credential {
        client_id: r.get(0)?,
        app_id: r.get(1)?,
        user_id: r.get(2)?,
        scopes: parse_list(&scopes),
        expires_at: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
        used_at: r.get(5)?,
    })
}

pub(super) fn load_token(
    c: &Connection,
    token: &str,
    kind: &str,
) -> rusqlite::Result<Option<Credential>> {
    one(
        c,
        "SELECT client_id, app_id, user_id, scopes, expires_at, spent_at FROM auth_tokens \
         WHERE token = ?1 AND kind = ?2",
        params![token, kind],
        credential_from_row,
    )
    .optional()
}

/// What an auth code stands for (None: no such code), read in the caller's transaction.
pub fn code_credential(tx: &Transaction<'_>, code: &str) -> StoreResult<Option<Credential>> {
    Ok(one(
        tx,
        "SELECT client_id, app_id, user_id, success_scopes, expires_at, used_at \
         FROM auth_grants WHERE auth_code = ?1",
        params![code],
        credential_from_row,
    )
    .optional()?)
}

/// What a refresh token stands for (None: no such refresh token), in the caller's transaction.
pub fn refresh_credential(tx: &Transaction<'_>, token: &str) -> StoreResult<Option<Credential>> {
    Ok(load_token(tx, token, REFRESH)?)
}

/// Marks an auth code used at `now` and stores the pair it was exchanged for.
pub fn spend_code(
    tx: &Transaction<'_>,
    code: &str,
    c: &Credential,
    tokens: &NewTokens,
    now: i64,
) -> StoreResult<()> {
    exec(
        tx,
        "UPDATE auth_grants SET used_at = ?2 WHERE auth_code = ?1",
        params![code, now],
    )?;
    Ok(insert_tokens(tx, c, tokens, now)?)
}

/// Marks a refresh token spent at `now` and stores the pair it was exchanged for.
pub fn spend_refresh(
    tx: &Transaction<'_>,
    token: &str,
    c: &Credential,
    tokens: &NewTokens,
    now: i64,
) -> StoreResult<()> {
    exec(
        tx,
        "UPDATE auth_tokens SET spent_at = ?2 WHERE token = ?1",
        params![token, now],
    )?;
    Ok(insert_tokens(tx, c, tokens, now)?)
}

/// Records a consent decision (and the code it minted), in the caller's transaction.
pub fn insert_grant(c: &Connection, g: &GrantRow) -> rusqlite::Result<()> {
    let errors = serde_json::to_string(&g.error_scopes).unwrap_or_else(|_| "{}".into());
    exec(
        c,
        "INSERT INTO auth_grants (created_at, app_id, client_id, user_id, scopes, \
         success_scopes, error_scopes, decision, auth_code, expires_at, used_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)",
        params![
            g.created_at,
            g.app_id,
            g.client_id,
            g.user_id,
            json_list(&g.scopes),
            json_list(&g.success_scopes),
            errors,
            g.decision,
            g.auth_code,
            g.expires_at
        ],
    )?;
    Ok(())
}

impl Store {
    /// All users, by id.
    pub fn users(&self) -> StoreResult<Vec<UserRow>> {
        let conn = self.lock();
        let ids: Vec<String> = {
            let mut stmt = conn.prepare_cached("SELECT user_id FROM users ORDER BY user_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(u) = load_user(&conn, &id)? {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// A user by id.
    pub fn user(&self, user_id: &str) -> StoreResult<Option<UserRow>> {
        Ok(load_user(&self.lock(), user_id)?)
    }

    /// Creates a user with the next free `2088…` id (the given `user_id` is ignored).
    pub fn create_user(&self, user: &UserRow) -> StoreResult<UserRow> {
        let now = clock::now_ms();
        self.write(|tx| {
            let max: Option<String> = one(
                tx,
                "SELECT MAX(user_id) FROM users WHERE length(user_id) = 16 AND user_id GLOB '2088*'",
                [],
                |r| r.get(0),
            )?;
            let next = max
                .and_then(|m| m.parse::<u64>().ok())
                .map_or(2_088_000_000_000_001, |n| n + 1);
            let user_id = next.to_string();
            exec(
                tx,
                "INSERT INTO users (user_id, nick_name, full_name, avatar, mobile, email, gender, \
                 birth_date, nationality, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    user_id,
                    user.nick_name,
                    user.full_name,
                    user.avatar,
                    user.mobile,
                    user.email,
                    user.gender,
                    user.birth_date,
                    user.nationality,
                    now
                ],
            )?;
            for (currency, value) in &user.balances {
                exec(
                    tx,
                    "INSERT INTO balances (user_id, currency, value) VALUES (?1, ?2, ?3)",
                    params![user_id, currency, value],
                )?;
            }
            Ok(load_user(tx, &user_id)?.unwrap_or_else(|| UserRow {
                user_id,
                ..user.clone()
            }))
        })
    }

    /// Sets some of a user's balances (the others stay); None for an unknown user.
    pub fn set_balances(
        &self,
        user_id: &str,
        balances: &[(String, i64)],
    ) -> StoreResult<Option<UserRow>> {
        self.write(|tx| {
            if load_user(tx, user_id)?.is_none() {
                return Ok(None);
            }
            for (currency, value) in balances {
                exec(
                    tx,
                    "INSERT INTO balances (user_id, currency, value) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (user_id, currency) DO UPDATE SET value = excluded.value",
                    params![user_id, currency, value],
                )?;
            }
            Ok(load_user(tx, user_id)?)
        })
    }

    /// The latest consent decisions, newest first.
    pub fn grants(&self, limit: i64) -> StoreResult<Vec<GrantRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT created_at, app_id, client_id, user_id, scopes, success_scopes, error_scopes, \
             decision, auth_code, expires_at, used_at FROM auth_grants ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| {
            let scopes: String = r.get(4)?;
            let success: String = r.get(5)?;
            let errors: String = r.get(6)?;
            Ok(GrantRow {
                created_at: r.get(0)?,
                app_id: r.get(1)?,
                client_id: r.get(2)?,
                user_id: r.get(3)?,
                scopes: parse_list(&scopes),
                success_scopes: parse_list(&success),
                error_scopes: serde_json::from_str(&errors).unwrap_or_default(),
                decision: r.get(7)?,
                auth_code: r.get(8)?,
                expires_at: r.get(9)?,
                used_at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What an access token stands for, if it is one.
    pub fn access_token(&self, token: &str) -> StoreResult<Option<Credential>> {
        Ok(load_token(&self.lock(), token, ACCESS)?)
    }

    /// True when merchant `client_id` ever obtained a token for `user_id` through
    /// `applyToken` (the user consented to that merchant's mini program): only then may the
    /// merchant name that user as the buyer who pays.
    pub fn merchant_has_grant(&self, client_id: &str, user_id: &str) -> StoreResult<bool> {
        Ok(one(
            &self.lock(),
            "SELECT EXISTS (SELECT 1 FROM auth_tokens WHERE client_id = ?1 AND user_id = ?2)",
            params![client_id, user_id],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_before_identity_gets_users_and_keeps_its_payments() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A data dir written by a sandbox that knew migration 1 only.
            let conn = Connection::open(dir.path().join("sandbox.db")).unwrap();
            conn.execute_batch(super::super::migrations::MIGRATIONS[0])
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
                .unwrap();
        }
        let store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.setting("k").unwrap().as_deref(), Some("v"));
        let users = store.users().unwrap();
        let names: Vec<&str> = users.iter().map(|u| u.nick_name.as_str()).collect();
        assert_eq!(names, ["Alice", "Bob", "Carol"]);
        assert_eq!(users[0].balances.get("USD"), Some(&100_000));
        assert_eq!(store.payment_payer("none").unwrap(), None);
        drop(store);
        // Opening again runs nothing twice.
        let store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.users().unwrap().len(), 3);
    }

    #[test]
    fn a_code_is_redeemed_once_in_one_transaction() {
        let store = Store::open(None).unwrap();
        let grant = GrantRow {
            created_at: 0,
            app_id: "app".into(),
            client_id: "M1".into(),
            user_id: "2088000000000001".into(),
            scopes: vec!["auth_base".into()],
            success_scopes: vec!["auth_base".into()],
            error_scopes: Default::default(),
            decision: "allow".into(),
            auth_code: Some("code".into()),
            expires_at: Some(1000),
            used_at: None,
        };
        store
            .write(|tx| Ok::<_, StoreError>(insert_grant(tx, &grant)?))
            .unwrap();
        let tokens = |n: &str| NewTokens {
            access_token: format!("a{n}"),
            access_expires_at: 10,
            refresh_token: format!("r{n}"),
            refresh_expires_at: 20,
        };
        // The app's use case (app::identity::redeem) in miniature: check, then spend.
        let redeem = |n: &str, now: i64| {
            store.write(|tx| {
                let c = code_credential(tx, "code")?.filter(|c| c.used_at.is_none());
                let Some(c) = c else {
                    return Ok(None);
                };
                spend_code(tx, "code", &c, &tokens(n), now)?;
                Ok::<_, StoreError>(Some(c))
            })
        };
        let c = redeem("1", 5).unwrap().unwrap();
        assert_eq!(c.user_id, "2088000000000001");
        assert!(redeem("2", 6).unwrap().is_none());
        assert!(
            store.access_token("a2").unwrap().is_none(),
            "nothing stored when refused"
        );
        assert_eq!(store.access_token("a1").unwrap().unwrap().expires_at, 10);
        assert!(
            store.access_token("r1").unwrap().is_none(),
            "a refresh token is not an access token"
        );
        assert_eq!(store.grants(10).unwrap()[0].used_at, Some(5));
    }
}
