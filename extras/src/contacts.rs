//! `my.chooseContact`'s rules, without the browser: its options (`chooseType`, `includeMe`,
//! `includeMobileContactMode`, `multiChooseMax`, `multiChooseMaxTips`), the limit a choice must
//! keep, and the entries of its result (`contactsDicArray`) made from the devtools' address
//! book (`shim_core::inputs::Contact`, the same book as `my.choosePhoneContact`'s).
//!
//! The simulator has one address book: its entries play the user's Alipay friends, each with a
//! phone number. An entry's `userId` is made from its number (`2088` and the number's last
//! twelve digits, left-padded with zeros), so the same contact keeps the same id from call to
//! call; `avatar` is empty (the book has no pictures); `realName` and `displayName` are the
//! name. DESIGN.md "The phone's inputs".

use serde::Serialize;

use crate::encoding::Quoted;
use crate::error::ApiError;
use crate::inputs::{Contact, MAX_CONTACTS};

/// One contact or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChooseType {
    /// `single`: one contact, the first chosen when the sheet opens.
    Single,
    /// `multi`: any number from one to [`ChooseContact::max`].
    Multi,
}

/// `includeMobileContactMode`: which phone contacts Alipay would add to the friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MobileContactMode {
    /// `none` (the default).
    None,
    /// `known`: phone contacts known to Alipay.
    Known,
    /// `all`: every phone contact.
    All,
}

/// `my.chooseContact`'s options, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChooseContact {
    /// `chooseType` (required).
    pub choose_type: ChooseType,
    /// `includeMe` (default false). The book holds no entry for the user themself, so it adds
    /// none; it is checked so a typo is reported.
    pub include_me: bool,
    /// `includeMobileContactMode` (default `none`); the book is one list, so every mode shows
    /// all of it.
    pub mobile_mode: MobileContactMode,
    /// At most this many in a `multi` choice (`multiChooseMax`, default: no limit but the
    /// book's size); 1 for `single`.
    pub max: usize,
    /// Shown when a `multi` choice would pass [`Self::max`] (`multiChooseMaxTips`).
    pub max_tips: String,
}

impl ChooseContact {
    /// Checks the options as read from JS: `multi_choose_max` is the number given (if any)
    /// and whether the key was present. Error 2 naming the option.
    pub fn new(
        choose_type: Option<String>,
        include_me: Option<bool>,
        mobile_mode: Option<String>,
        multi_choose_max: (Option<f64>, bool),
        multi_choose_max_tips: Option<String>,
    ) -> Result<Self, ApiError> {
        let choose_type = match choose_type.as_deref() {
            Some("single") => ChooseType::Single,
            Some("multi") => ChooseType::Multi,
            Some(other) => {
                return Err(ApiError::invalid(
                    "chooseType",
                    format!("must be \"single\" or \"multi\" (got {})", Quoted(other)),
                ))
            }
            None => {
                return Err(ApiError::invalid(
                    "chooseType",
                    "is required: \"single\" or \"multi\"",
                ))
            }
        };
        let mobile_mode = match mobile_mode.as_deref() {
            None | Some("none") => MobileContactMode::None,
            Some("known") => MobileContactMode::Known,
            Some("all") => MobileContactMode::All,
            Some(other) => {
                return Err(ApiError::invalid(
                    "includeMobileContactMode",
                    format!(
                        "must be \"none\", \"known\" or \"all\" (got {})",
                        Quoted(other)
                    ),
                ))
            }
        };
        let max = match multi_choose_max {
            (Some(n), _) if n.fract() == 0.0 && n >= 1.0 && n <= MAX_CONTACTS as f64 => n as usize,
            (None, false) => MAX_CONTACTS,
            _ => {
                return Err(ApiError::invalid(
                    "multiChooseMax",
                    format!("must be an integer from 1 to {MAX_CONTACTS}"),
                ))
            }
        };
        let max = match choose_type {
            ChooseType::Single => 1,
            ChooseType::Multi => max,
        };
        let max_tips = multi_choose_max_tips
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("You can choose at most {max} contacts"));
        Ok(ChooseContact {
            choose_type,
            include_me: include_me.unwrap_or(false),
            mobile_mode,
            max,
            max_tips,
        })
    }

    /// The result for the entries of `book` at `chosen` (in the book's order): error 11 (the
    /// user chose nobody) when empty, error 2 past the limit or outside the book (a choice the
    /// sheet cannot make, reported rather than trimmed).
    pub fn result(
        &self,
        book: &[Contact],
        chosen: &[usize],
    ) -> Result<ChooseContactResult, ApiError> {
        if chosen.is_empty() {
            return Err(ApiError::UserCancelled);
        }
        if chosen.len() > self.max {
            return Err(ApiError::invalid("multiChooseMax", self.max_tips.clone()));
        }
        let mut indexes = chosen.to_vec();
        indexes.sort_unstable();
        indexes.dedup();
        let contacts_dic_array = indexes
            .iter()
            .map(|&i| {
                book.get(i)
                    .map(ContactEntry::from)
                    .ok_or_else(|| ApiError::Unknown("the contact went away".into()))
            })
            .collect::<Result<_, _>>()?;
        Ok(ChooseContactResult { contacts_dic_array })
    }
}

/// `my.chooseContact`'s success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseContactResult {
    /// The chosen contacts, in the book's order.
    pub contacts_dic_array: Vec<ContactEntry>,
}

/// One chosen contact, in the fields Alipay gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactEntry {
    /// `2088` and the number's last twelve digits ([`user_id`]).
    pub user_id: String,
    /// Empty: the address book has no pictures.
    pub avatar: String,
    /// The number as the book has it.
    pub mobile: String,
    /// The name.
    pub real_name: String,
    /// The name.
    pub display_name: String,
}

impl From<&Contact> for ContactEntry {
    fn from(c: &Contact) -> Self {
        ContactEntry {
            user_id: user_id(&c.mobile),
            avatar: String::new(),
            mobile: c.mobile.clone(),
            real_name: c.name.clone(),
            display_name: c.name.clone(),
        }
    }
}

/// A 16-digit Alipay-style user id for a phone number: `2088`, then the number's last twelve
/// digits, left-padded with zeros (the same number, the same id).
pub fn user_id(mobile: &str) -> String {
    let digits: Vec<u8> = mobile.bytes().filter(u8::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(12)..];
    let mut id = String::from("2088");
    id.extend(std::iter::repeat_n('0', 12 - tail.len()));
    id.extend(tail.iter().map(|&b| char::from(b)));
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Vec<Contact> {
        vec![
            Contact {
                name: "Alice".into(),
                mobile: "+86 138 0013 8000".into(),
            },
            Contact {
                name: "Bob".into(),
                mobile: "555-0100".into(),
            },
        ]
    }

    fn multi(max: Option<f64>) -> ChooseContact {
        ChooseContact::new(Some("multi".into()), None, None, (max, max.is_some()), None)
            .expect("valid")
    }

    #[test]
    fn user_ids_are_2088_and_the_last_twelve_digits() {
        assert_eq!(user_id("+86 138 0013 8000").len(), 16);
        assert_eq!(user_id("+86 138 0013 8000"), "2088613800138000");
        assert_eq!(user_id("555-0100"), "2088000005550100");
        assert_eq!(user_id("1 (234) 567-8901 2345"), "2088456789012345");
    }

    #[test]
    fn rejects_bad_options_naming_them() {
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            (Option<f64>, bool),
            &'a str,
        );
        let cases: [Case; 6] = [
            (None, None, (None, false), "`chooseType`"),
            (Some("many"), None, (None, false), "`chooseType`"),
            (
                Some("multi"),
                Some("some"),
                (None, false),
                "`includeMobileContactMode`",
            ),
            (Some("multi"), None, (Some(0.0), true), "`multiChooseMax`"),
            (Some("multi"), None, (Some(2.5), true), "`multiChooseMax`"),
            (Some("multi"), None, (None, true), "`multiChooseMax`"),
        ];
        for (kind, mode, max, named) in cases {
            let e = ChooseContact::new(kind.map(Into::into), None, mode.map(Into::into), max, None)
                .expect_err(named);
            assert_eq!(e.code(), 2, "{named}");
            assert!(e.to_string().contains(named), "{e} names {named}");
        }
    }

    #[test]
    fn single_allows_one_and_multi_its_max() {
        let single = ChooseContact::new(
            Some("single".into()),
            Some(true),
            Some("all".into()),
            (Some(5.0), true),
            None,
        )
        .expect("valid");
        assert_eq!(single.max, 1);
        assert!(single.include_me);
        assert_eq!(single.mobile_mode, MobileContactMode::All);
        assert_eq!(multi(None).max, MAX_CONTACTS);
        let two = multi(Some(2.0));
        assert_eq!(two.max_tips, "You can choose at most 2 contacts");
        let tips = ChooseContact::new(
            Some("multi".into()),
            None,
            None,
            (Some(1.0), true),
            Some("Only one".into()),
        )
        .expect("valid");
        assert_eq!(tips.max_tips, "Only one");
    }

    #[test]
    fn result_lists_the_chosen_in_book_order() {
        let r = multi(None).result(&book(), &[1, 0]).expect("two");
        let names: Vec<_> = r
            .contacts_dic_array
            .iter()
            .map(|c| c.display_name.as_str())
            .collect();
        assert_eq!(names, ["Alice", "Bob"]);
        assert_eq!(r.contacts_dic_array[1].user_id, "2088000005550100");
        assert_eq!(r.contacts_dic_array[1].real_name, "Bob");
        assert_eq!(r.contacts_dic_array[1].mobile, "555-0100");
        assert_eq!(r.contacts_dic_array[1].avatar, "");
    }

    #[test]
    fn result_refuses_nobody_too_many_and_unknown_entries() {
        assert_eq!(
            multi(None).result(&book(), &[]).expect_err("none").code(),
            11
        );
        let e = multi(Some(1.0))
            .result(&book(), &[0, 1])
            .expect_err("two of one");
        assert_eq!(e.code(), 2);
        assert!(e.to_string().contains("at most 1"), "{e}");
        assert_eq!(
            multi(None)
                .result(&book(), &[5])
                .expect_err("outside")
                .code(),
            3
        );
    }
}
