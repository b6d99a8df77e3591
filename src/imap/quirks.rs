//! Servers that need something the standard does not ask for, recognised from the host
//! name or the greeting.
//!
//! - Coremail (NetEase 163/126/yeah.net) refuses LOGIN or SELECT with "Unsafe Login" from a
//!   client that has not sent `ID` (rust-imap #151, #296), and its greeting lists no
//!   capabilities, so ID goes out before login (RFC 2971 allows it in any state) whether or not
//!   CAPABILITY lists it; a server that refuses it there is sent it again after login, before
//!   any SELECT. A refusal in those words says how to get an authorization code. Coremail also
//!   mishandles SASL-IR; the `imap` crate never sends an initial response, so there is nothing
//!   to switch off.
//! - QQ Mail (which lists ID in its greeting) is sent ID the same way; so is any server that
//!   lists ID before login (tern identified itself to those after login before: same round
//!   trip, earlier).
//! - Gmail (X-GM-EXT-1) needs nothing at login: its folders carry the SPECIAL-USE attributes
//!   the delete and archive rules go by (`\Trash`, and `\All` for archiving, in
//!   [`crate::policy`]), and `save_sent = false` comes from the provider table. Its labels
//!   (X-GM-LABELS) are shown with the open message, read-only.

use crate::config::providers::NETEASE_HINT;

/// The server families with quirks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Coremail,
    Qq,
    Other,
}

impl Family {
    /// From what is known before login: the configured host and the greeting line.
    pub fn recognise(host: &str, greeting: &str) -> Family {
        let host = host.to_ascii_lowercase();
        let on = |domains: &[&str]| {
            domains
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        };
        if greeting.contains("Coremail") || on(&["163.com", "126.com", "yeah.net", "188.com"]) {
            Family::Coremail
        } else if greeting.contains("QQMail") || on(&["qq.com"]) {
            Family::Qq
        } else {
            Family::Other
        }
    }

    /// Whether to send ID (before login) even where CAPABILITY does not list it.
    pub fn must_identify(self) -> bool {
        matches!(self, Family::Coremail | Family::Qq)
    }
}

/// The capability of servers that keep Gmail's labels.
pub const GMAIL: &str = "X-GM-EXT-1";

/// A label as Gmail sends it, for display: system labels (`\Inbox`, `\Important`) without their
/// backslash, user labels decoded from modified UTF-7 like folder names.
pub fn label_name(raw: &str) -> String {
    match raw.strip_prefix('\\') {
        Some(system) => system.to_string(),
        None => crate::utf7::decode(raw),
    }
}

/// The server's refusal text, with what to do about NetEase's "Unsafe Login" (its words for
/// a client it does not trust, or for the account password where an authorization code is
/// needed).
pub fn explain(text: String) -> String {
    if text.to_ascii_lowercase().contains("unsafe login") {
        format!("{text} ({NETEASE_HINT}; tern identifies itself with ID)")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_told_apart_by_host_greeting_or_capability() {
        let coremail =
            "* OK Coremail System IMap Server Ready(163com[726cd87d72d896a1ac393507346040fa])";
        assert_eq!(Family::recognise("127.0.0.1", coremail), Family::Coremail);
        assert_eq!(
            Family::recognise("imap.126.com", "* OK ready"),
            Family::Coremail
        );
        assert_eq!(Family::recognise("not163.com", "* OK ready"), Family::Other);
        let qq =
            "* OK [CAPABILITY IMAP4 IMAP4rev1 ID AUTH=LOGIN NAMESPACE] QQMail IMAP4Server ready";
        assert_eq!(Family::recognise("127.0.0.1", qq), Family::Qq);
        assert_eq!(
            Family::recognise("imap.gmail.com", "* OK Gimap ready"),
            Family::Other
        );
        assert!(Family::Coremail.must_identify() && !Family::Other.must_identify());
    }

    #[test]
    fn labels_are_named_without_backslash_and_decoded() {
        assert_eq!(label_name("\\Important"), "Important");
        assert_eq!(label_name("&XeVPXA-"), "工作");
        assert_eq!(label_name("Work/Projects"), "Work/Projects");
    }

    #[test]
    fn unsafe_login_says_where_to_get_an_authorization_code() {
        let text = explain("SELECT Unsafe Login. Please contact kefu@188.com for help".into());
        assert!(
            text.starts_with("SELECT Unsafe Login") && text.contains("授权码"),
            "{text}"
        );
        assert_eq!(explain("no such folder".into()), "no such folder");
    }
}
