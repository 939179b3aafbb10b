//! What a wallet user is, as `inquiryUserInfo` reveals it (docs/protocol.md §5b): the
//! `userInfo` object limited by the granted scopes, and the rules for the profile fields a
//! sandbox user may be given (gender, birth date, nationality).
//!
//! | scope | `userInfo` field |
//! |---|---|
//! | every scope | `userId` |
//! | `auth_user`, `USER_NICKNAME` | `nickName` |
//! | `auth_user`, `USER_AVATAR` | `avatar` |
//! | `USER_NAME` | `userName { fullName, firstName, lastName }` |
//! | `USER_LOGIN_ID` | `loginIdInfos[] { loginIdType, maskLoginId }` |
//! | `HASH_LOGIN_ID` | `loginIdInfos[] { loginIdType, hashLoginId }` |
//! | `PLAINTEXT_USER_LOGIN_ID` | `loginIdInfos[] { loginIdType, loginId }` (plain text) |
//! | `USER_GENDER` | `gender` (`F` or `M`) |
//! | `USER_BIRTHDAY` | `birthDate` (`YYYY-MM-DD`) |
//! | `USER_NATIONALITY` | `nationality` (ISO 3166-1 alpha-2) |
//! | `USER_CONTACTINFO` | `contactInfos[] { contactType, contactNo }` (mobile and email) |
//! | `PLAINTEXT_MOBILE_PHONE` | `contactInfos[]` with the mobile number |
//!
//! A field the user has no value for is left out, as a wallet leaves it out.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::identity::UserRow;

/// The values `gender` may take (the Alipay+ `User` object: `F` female, `M` male).
pub const GENDERS: &[&str] = &["F", "M"];

fn has(scopes: &[String], any_of: &[&str]) -> bool {
    scopes.iter().any(|s| any_of.contains(&s.as_str()))
}

/// Masks all but the last 4 characters: `+1-202-555-0101` → `***********0101`.
pub fn mask(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// `hashLoginId`: the lowercase hex SHA-256 of the login id as stored. Stable per login id, so a
/// merchant can match a user without learning the id.
pub fn hash_login_id(login_id: &str) -> String {
    Sha256::digest(login_id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads `gender`: `F` or `M` (lowercase and `female`/`male` accepted, stored as the letter).
pub fn parse_gender(s: &str) -> Result<String, String> {
    match s.trim().to_ascii_uppercase().as_str() {
        "F" | "FEMALE" => Ok("F".into()),
        "M" | "MALE" => Ok("M".into()),
        _ => Err(format!(
            "gender: {s:?} is not one of \"F\" (female) or \"M\" (male)"
        )),
    }
}

/// Reads `birthDate`: a real calendar date `YYYY-MM-DD` from 1900-01-01 on.
pub fn parse_birth_date(s: &str) -> Result<String, String> {
    let err = || format!("birthDate: {s:?} is not a date YYYY-MM-DD, e.g. \"1990-04-21\"");
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err());
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return Err(err());
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(err()),
    };
    if y < 1900 || d == 0 || d > days {
        return Err(err());
    }
    Ok(s.to_string())
}

/// The ISO 3166-1 alpha-2 codes (officially assigned).
const ISO_3166_ALPHA2: &str =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH \
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY \
CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP \
GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM \
KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS \
PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD \
TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA \
ZM ZW";

/// Reads `nationality`: an ISO 3166-1 alpha-2 country code (`PH`, `US`; lowercase accepted).
pub fn parse_nationality(s: &str) -> Result<String, String> {
    let code = s.trim().to_ascii_uppercase();
    if code.len() == 2 && ISO_3166_ALPHA2.split_whitespace().any(|c| c == code) {
        Ok(code)
    } else {
        Err(format!(
            "nationality: {s:?} is not an ISO 3166-1 alpha-2 country code, e.g. \"PH\""
        ))
    }
}

/// The user's login ids: the mobile number, then the email, whichever it has.
fn login_ids(user: &UserRow) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    if let Some(m) = &user.mobile {
        out.push(("MOBILE_PHONE", m.as_str()));
    }
    if let Some(e) = &user.email {
        out.push(("EMAIL", e.as_str()));
    }
    out
}

/// `inquiryUserInfo`'s `userInfo`: the user id always, the rest only as the scopes allow (the
/// table in this module's docs).
pub fn user_info(user: &UserRow, scopes: &[String], avatar_url: &str) -> Value {
    let mut info = Map::new();
    info.insert("userId".into(), json!(user.user_id));
    if has(scopes, &["auth_user", "USER_NICKNAME"]) {
        info.insert("nickName".into(), json!(user.nick_name));
    }
    if has(scopes, &["auth_user", "USER_AVATAR"]) {
        info.insert("avatar".into(), json!(avatar_url));
    }
    if has(scopes, &["USER_NAME"]) {
        let full = user
            .full_name
            .clone()
            .unwrap_or_else(|| user.nick_name.clone());
        let mut parts = full.splitn(2, ' ');
        let first = parts.next().unwrap_or_default().to_string();
        let last = parts.next().unwrap_or_default().to_string();
        info.insert(
            "userName".into(),
            json!({"fullName": full, "firstName": first, "lastName": last}),
        );
    }
    let (masked, hashed, plain) = (
        has(scopes, &["USER_LOGIN_ID"]),
        has(scopes, &["HASH_LOGIN_ID"]),
        has(scopes, &["PLAINTEXT_USER_LOGIN_ID"]),
    );
    if masked || hashed || plain {
        let infos: Vec<Value> = login_ids(user)
            .into_iter()
            .map(|(kind, id)| {
                let mut o = Map::new();
                o.insert("loginIdType".into(), json!(kind));
                if masked {
                    o.insert("maskLoginId".into(), json!(mask(id)));
                }
                if hashed {
                    o.insert("hashLoginId".into(), json!(hash_login_id(id)));
                }
                if plain {
                    o.insert("loginId".into(), json!(id));
                }
                Value::Object(o)
            })
            .collect();
        if !infos.is_empty() {
            info.insert("loginIdInfos".into(), Value::Array(infos));
        }
    }
    let fields = [
        ("USER_GENDER", "gender", &user.gender),
        ("USER_BIRTHDAY", "birthDate", &user.birth_date),
        ("USER_NATIONALITY", "nationality", &user.nationality),
    ];
    for (scope, key, value) in fields {
        if let (true, Some(v)) = (has(scopes, &[scope]), value) {
            info.insert(key.into(), json!(v));
        }
    }
    let mut contacts = Vec::new();
    if has(scopes, &["USER_CONTACTINFO", "PLAINTEXT_MOBILE_PHONE"]) {
        if let Some(m) = &user.mobile {
            contacts.push(json!({"contactType": "MOBILE_PHONE", "contactNo": m}));
        }
    }
    if has(scopes, &["USER_CONTACTINFO"]) {
        if let Some(e) = &user.email {
            contacts.push(json!({"contactType": "EMAIL", "contactNo": e}));
        }
    }
    if !contacts.is_empty() {
        info.insert("contactInfos".into(), Value::Array(contacts));
    }
    Value::Object(info)
}

/// `my.getAuthUserInfo`'s answer (docs/protocol.md §5c): `{ nickName, avatar }` of `user`,
/// only when `user` granted `auth_user` to the app whose remembered authorizations are
/// `granted_to_app` (one user, one app: the caller reads them for that pair). A refused or
/// never-asked `auth_user`, or a finer scope alone (`USER_NICKNAME`), is `None`: the wallet
/// answers this call after the `auth_user` consent only.
pub fn auth_user_info(
    user: &UserRow,
    granted_to_app: &[super::auth_setting::Authorization],
    avatar_url: &str,
) -> Option<Value> {
    granted_to_app
        .iter()
        .any(|a| a.scope == "auth_user" && a.granted)
        .then(|| json!({"nickName": user.nick_name, "avatar": avatar_url}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::tests::alice;

    fn keys(u: &UserRow, scopes: &[&str]) -> Vec<String> {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let v = user_info(u, &scopes, "http://x/a.svg");
        let mut k: Vec<String> = v
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        k.sort();
        k
    }

    #[test]
    fn auth_user_info_needs_auth_user_granted() {
        use crate::domain::auth_setting::Authorization;
        let u = alice();
        let a = |scope: &str, granted| Authorization {
            scope: scope.into(),
            granted,
            updated_at: 1,
        };
        let got = auth_user_info(&u, &[a("auth_user", true)], "http://x/a.svg");
        assert_eq!(
            got,
            Some(json!({"nickName": u.nick_name, "avatar": "http://x/a.svg"}))
        );
        for list in [
            vec![],
            vec![a("auth_user", false)],
            vec![a("USER_NICKNAME", true), a("USER_AVATAR", true)],
            vec![a("USER_NAME", true), a("auth_user", false)],
        ] {
            assert_eq!(
                auth_user_info(&u, &list, "http://x/a.svg"),
                None,
                "{list:?}"
            );
        }
    }

    #[test]
    fn user_info_reveals_only_what_scopes_allow() {
        let u = alice();
        assert_eq!(keys(&u, &["auth_base"]), ["userId"]);
        assert_eq!(keys(&u, &["USER_ID"]), ["userId"]);
        assert_eq!(keys(&u, &["auth_user"]), ["avatar", "nickName", "userId"]);
        assert_eq!(keys(&u, &["USER_NICKNAME"]), ["nickName", "userId"]);
        assert_eq!(keys(&u, &["USER_CONTACTINFO"]), ["contactInfos", "userId"]);
        assert_eq!(keys(&u, &["USER_NAME"]), ["userId", "userName"]);
        assert_eq!(keys(&u, &["USER_LOGIN_ID"]), ["loginIdInfos", "userId"]);
        assert_eq!(keys(&u, &["HASH_LOGIN_ID"]), ["loginIdInfos", "userId"]);
        assert_eq!(keys(&u, &["USER_GENDER"]), ["gender", "userId"]);
        assert_eq!(keys(&u, &["USER_BIRTHDAY"]), ["birthDate", "userId"]);
        assert_eq!(keys(&u, &["USER_NATIONALITY"]), ["nationality", "userId"]);
        let v = user_info(&u, &["USER_CONTACTINFO".to_string()], "");
        assert_eq!(v["contactInfos"][0]["contactNo"], "+1-202-555-0101");
        assert_eq!(v["contactInfos"][1]["contactNo"], "alice@example.com");
    }

    #[test]
    fn login_ids_are_masked_hashed_or_plain_by_scope() {
        let u = alice();
        let info = |s: &[&str]| {
            let s: Vec<String> = s.iter().map(|s| s.to_string()).collect();
            user_info(&u, &s, "")["loginIdInfos"].clone()
        };
        let masked = info(&["USER_LOGIN_ID"]);
        assert_eq!(
            masked[0],
            json!({"loginIdType": "MOBILE_PHONE", "maskLoginId": "***********0101"})
        );
        assert_eq!(masked[1]["loginIdType"], "EMAIL");
        let hashed = info(&["HASH_LOGIN_ID"]);
        assert_eq!(hashed[0]["hashLoginId"], hash_login_id("+1-202-555-0101"));
        assert_eq!(hashed[0]["hashLoginId"].as_str().map(str::len), Some(64));
        assert!(hashed[0].get("loginId").is_none() && hashed[0].get("maskLoginId").is_none());
        let plain = info(&["PLAINTEXT_USER_LOGIN_ID"]);
        assert_eq!(
            plain[1],
            json!({"loginIdType": "EMAIL", "loginId": "alice@example.com"})
        );
        // No login id at all: no loginIdInfos; no gender: no gender.
        let mut bare = alice();
        (bare.mobile, bare.email, bare.gender) = (None, None, None);
        assert_eq!(keys(&bare, &["USER_LOGIN_ID", "USER_GENDER"]), ["userId"]);
    }

    #[test]
    fn profile_fields_are_checked() {
        assert_eq!(parse_gender("f").unwrap(), "F");
        assert_eq!(parse_gender("male").unwrap(), "M");
        for bad in ["", "X", "woman", "FM"] {
            assert!(
                parse_gender(bad).unwrap_err().starts_with("gender:"),
                "{bad}"
            );
        }
        assert_eq!(parse_birth_date("2000-02-29").unwrap(), "2000-02-29");
        for bad in [
            "1900-02-29",
            "1990-13-01",
            "1990-4-21",
            "21/04/1990",
            "1990-04-31",
            "1899-12-31",
            "１９９０-04-21",
            "",
        ] {
            assert!(
                parse_birth_date(bad).unwrap_err().starts_with("birthDate:"),
                "{bad}"
            );
        }
        assert_eq!(parse_nationality("ph").unwrap(), "PH");
        for bad in ["", "XX", "USA", "U", "UK"] {
            assert!(
                parse_nationality(bad)
                    .unwrap_err()
                    .starts_with("nationality:"),
                "{bad}"
            );
        }
    }
}
