//! The remembered authorizations of `auth_settings` (`domain::auth_setting`): read one
//! (user, app), and set scopes granted or not. The rules (what is remembered, who may change
//! it) are the domain's and the use cases' (`app::identity`); this module only reads and writes.

use rusqlite::{params, Connection};

use super::*;
use crate::domain::auth_setting::Authorization;

/// The authorizations `user_id` gave `app_id`, by scope name.
pub fn load(c: &Connection, user_id: &str, app_id: &str) -> rusqlite::Result<Vec<Authorization>> {
    let mut stmt = c.prepare_cached(
        "SELECT scope, granted, updated_at FROM auth_settings \
         WHERE user_id = ?1 AND app_id = ?2 ORDER BY scope",
    )?;
    let rows = stmt.query_map(params![user_id, app_id], |r| {
        Ok(Authorization {
            scope: r.get(0)?,
            granted: r.get::<_, i64>(1)? != 0,
            updated_at: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Sets each of `scopes` of (`user_id`, `app_id`) to `granted` at `now`.
pub fn set(
    c: &Connection,
    user_id: &str,
    app_id: &str,
    scopes: &[String],
    granted: bool,
    now: i64,
) -> rusqlite::Result<()> {
    for scope in scopes {
        exec(
            c,
            "INSERT INTO auth_settings (user_id, app_id, scope, granted, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id, app_id, scope) \
             DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at",
            params![user_id, app_id, scope, granted as i64, now],
        )?;
    }
    Ok(())
}

impl Store {
    /// The authorizations `user_id` gave `app_id` (what `my.getSetting` reports).
    pub fn authorizations(&self, user_id: &str, app_id: &str) -> StoreResult<Vec<Authorization>> {
        Ok(load(&self.lock(), user_id, app_id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_per_user_app_and_scope_and_the_last_write_wins() {
        let store = Store::open(None).unwrap();
        store
            .write(|tx| {
                set(
                    tx,
                    "u1",
                    "a1",
                    &["auth_user".into(), "USER_NAME".into()],
                    true,
                    1,
                )?;
                set(tx, "u1", "a2", &["auth_user".into()], true, 2)?;
                set(tx, "u2", "a1", &["auth_user".into()], false, 3)?;
                set(tx, "u1", "a1", &["USER_NAME".into()], false, 4)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let got = store.authorizations("u1", "a1").unwrap();
        let got: Vec<(&str, bool, i64)> = got
            .iter()
            .map(|a| (a.scope.as_str(), a.granted, a.updated_at))
            .collect();
        assert_eq!(got, [("USER_NAME", false, 4), ("auth_user", true, 1)]);
        assert_eq!(store.authorizations("u2", "a1").unwrap().len(), 1);
        assert!(store.authorizations("u3", "a1").unwrap().is_empty());
    }

    #[test]
    fn decisions_recorded_before_the_table_are_remembered() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join("sandbox.db")).unwrap();
            // Every migration before the one that made the table (later ones run at open).
            let before = super::super::migrations::MIGRATIONS
                .iter()
                .position(|m| m.contains("CREATE TABLE IF NOT EXISTS auth_settings"))
                .unwrap();
            for sql in &super::super::migrations::MIGRATIONS[..before] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", before as i64)
                .unwrap();
            let grant = "INSERT INTO auth_grants (created_at, app_id, client_id, user_id, scopes, \
                 success_scopes, error_scopes, decision) VALUES (?1, 'a', 'c', 'u', ?2, ?3, '{}', ?4)";
            conn.execute(
                grant,
                params![
                    1,
                    r#"["auth_base","auth_user","USER_NAME","X"]"#,
                    r#"["auth_base","auth_user","USER_NAME"]"#,
                    "allow"
                ],
            )
            .unwrap();
            conn.execute(grant, params![2, r#"["USER_NAME"]"#, "[]", "deny"])
                .unwrap();
        }
        let store = Store::open(Some(dir.path())).unwrap();
        let got: Vec<(String, bool)> = store
            .authorizations("u", "a")
            .unwrap()
            .into_iter()
            .map(|a| (a.scope, a.granted))
            .collect();
        assert_eq!(
            got,
            [("USER_NAME".into(), false), ("auth_user".into(), true)]
        );
    }
}
