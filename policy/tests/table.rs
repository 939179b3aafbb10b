//! The shared table, run against the crate itself.

use miniprogram_policy::cases::{Expect, ENTRY_CASES, MATCH_CASES};
use miniprogram_policy::{Origin, Whitelist, WhitelistEntry};

#[test]
fn every_match_case_answers_as_the_table_says() {
    for case in MATCH_CASES {
        let list = Whitelist::parse(case.whitelist)
            .unwrap_or_else(|e| panic!("{:?}: the table's whitelist must be valid: {e}", case.why));
        let got = match list.allows_url(case.url) {
            Ok(true) => Expect::Allow,
            Ok(false) => Expect::Deny,
            Err(_) => Expect::InvalidUrl,
        };
        assert_eq!(
            got, case.expect,
            "{} {:?} ({})",
            case.url, case.whitelist, case.why
        );
    }
}

#[test]
fn allowed_table_urls_are_what_both_transports_carry() {
    for case in MATCH_CASES.iter().filter(|c| c.expect == Expect::Allow) {
        if let Ok(origin) = Origin::parse_url(case.url) {
            let http = origin.scheme == miniprogram_policy::Scheme::Http;
            assert!(
                !http || origin.host.is_loopback(),
                "{}: http to a non-loopback host",
                case.url
            );
        }
    }
}

#[test]
fn every_entry_case_parses_or_names_its_problem() {
    for (entry, expected) in ENTRY_CASES {
        match (WhitelistEntry::parse(entry), expected) {
            (Ok(parsed), Ok(canonical)) => {
                assert_eq!(parsed.to_string(), *canonical, "{entry:?}");
                // The canonical spelling reads back as the same entry.
                assert_eq!(
                    WhitelistEntry::parse(canonical).as_ref(),
                    Ok(&parsed),
                    "{entry:?}"
                );
            }
            (Err(e), Err(word)) => {
                let message = e.to_string();
                assert!(
                    message.contains(&format!("{entry:?}")),
                    "names the entry: {message}"
                );
                assert!(
                    message.to_lowercase().contains(&word.to_lowercase()),
                    "{entry:?}: {message} should mention {word:?}"
                );
            }
            (got, want) => panic!("{entry:?}: got {got:?}, wanted {want:?}"),
        }
    }
}
