//! Addresses as a draft holds them: parsed from what the user typed (with mail-parser's RFC 5322
//! address parser), checked one by one so an error names the bad one, and written back as
//! `Name <addr>`.

use std::fmt;

use mail_parser::parsers::MessageStream;
use mail_parser::{Addr, Address, HeaderValue};

/// One address with its optional display name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mailbox {
    pub name: Option<String>,
    pub addr: String,
}

impl Mailbox {
    pub fn new(name: Option<&str>, addr: &str) -> Mailbox {
        Mailbox {
            name: name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty() && n != addr),
            addr: addr.trim().to_string(),
        }
    }

    /// Addresses compare without regard to case: the domain is case-insensitive and no
    /// real mailbox differs from another by the case of its local part alone.
    pub fn same_addr(&self, other: &str) -> bool {
        self.addr.eq_ignore_ascii_case(other.trim())
    }

    /// The part after the `@`, for the Message-ID.
    pub fn domain(&self) -> &str {
        self.addr.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            None => f.write_str(&self.addr),
            Some(name) if name.contains(|c: char| "()<>[]:;@\\,.\"".contains(c)) => {
                let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
                write!(f, "\"{escaped}\" <{}>", self.addr)
            }
            Some(name) => write!(f, "{name} <{}>", self.addr),
        }
    }
}

/// Why an address the user typed cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadAddress {
    pub text: String,
    pub why: &'static str,
}

impl fmt::Display for BadAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not an address ({})", self.text, self.why)
    }
}

/// Every address in a header value such as `Bob <bob@example.org>, "Doe, Jane" <jane@x.org>`;
/// an empty value gives none. Groups (`team: a@x, b@x;`) contribute their members.
pub fn parse_list(text: &str) -> Result<Vec<Mailbox>, BadAddress> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let line = format!("{}\r\n", text.replace(['\r', '\n'], " "));
    let parsed = MessageStream::new(line.as_bytes()).parse_address();
    let addrs: Vec<&Addr> = match &parsed {
        HeaderValue::Address(Address::List(list)) => list.iter().collect(),
        HeaderValue::Address(Address::Group(groups)) => {
            groups.iter().flat_map(|g| g.addresses.iter()).collect()
        }
        _ => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(BadAddress {
            text: text.to_string(),
            why: "no address in it",
        });
    }
    let mut out = Vec::with_capacity(addrs.len());
    for a in addrs {
        let addr = a.address().unwrap_or_default().trim();
        let shown = match (a.name(), addr) {
            (Some(n), "") => n.to_string(),
            (_, a) => a.to_string(),
        };
        // A word without `<>` or `@` parses as a name alone: judge it as the address meant.
        let meant = if addr.is_empty() {
            shown.as_str()
        } else {
            addr
        };
        let checked = check(meant).and(if addr.is_empty() {
            Err("no address in it")
        } else {
            Ok(())
        });
        checked.map_err(|why| BadAddress {
            text: shown.clone(),
            why,
        })?;
        out.push(Mailbox::new(a.name(), addr));
    }
    Ok(out)
}

/// One address, e.g. a configured `from`.
pub fn parse_one(text: &str) -> Result<Mailbox, BadAddress> {
    let mut list = parse_list(text)?;
    match list.len() {
        1 => Ok(list.remove(0)),
        0 => Err(BadAddress {
            text: text.to_string(),
            why: "empty",
        }),
        _ => Err(BadAddress {
            text: text.to_string(),
            why: "only one address is allowed here",
        }),
    }
}

/// The checks that catch typing mistakes; anything subtler is the server's to refuse.
fn check(addr: &str) -> Result<(), &'static str> {
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Err(if addr.is_empty() {
            "no address in it"
        } else {
            "no @"
        });
    };
    if local.is_empty() {
        return Err("nothing before the @");
    }
    if domain.is_empty() {
        return Err("no domain after the @");
    }
    if addr
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>,;".contains(c))
    {
        return Err("it contains a space or one of < > , ;");
    }
    if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
        return Err("the domain is malformed");
    }
    Ok(())
}

/// The list as a header line value, comma-separated.
pub fn join(list: &[Mailbox]) -> String {
    list.iter()
        .map(Mailbox::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_quotes_and_groups() {
        let list =
            parse_list(r#"Bob <bob@example.org>, "Doe, Jane" <jane@x.org>, carol@y.org"#).unwrap();
        assert_eq!(
            list,
            [
                Mailbox::new(Some("Bob"), "bob@example.org"),
                Mailbox::new(Some("Doe, Jane"), "jane@x.org"),
                Mailbox::new(None, "carol@y.org"),
            ]
        );
        let group = parse_list("team: a@x.org, b@x.org;").unwrap();
        assert_eq!(group.len(), 2);
        let utf8 = parse_list("Ольга Смирнова <olga@example.ru>").unwrap();
        assert_eq!(utf8[0].name.as_deref(), Some("Ольга Смирнова"));
        assert!(parse_list("  ").unwrap().is_empty());
    }

    #[test]
    fn names_the_bad_address_and_why() {
        let e = parse_list("Bob <bob@example.org>, carol@").unwrap_err();
        assert_eq!(e.text, "carol@");
        assert_eq!(
            e.to_string(),
            "\"carol@\" is not an address (no domain after the @)"
        );
        let e = parse_list("bob.example.org").unwrap_err();
        assert_eq!(e.why, "no @");
        let e = parse_list("Bob <@example.org>").unwrap_err();
        assert_eq!(e.why, "nothing before the @");
        let e = parse_list("a@b..org").unwrap_err();
        assert_eq!(e.why, "the domain is malformed");
        assert!(parse_one("a@x.org, b@x.org").is_err());
    }

    #[test]
    fn writes_back_what_it_parses() {
        for m in [
            Mailbox::new(Some("Doe, Jane"), "jane@x.org"),
            Mailbox::new(Some("Say \"hi\""), "q@x.org"),
            Mailbox::new(Some("李娜"), "li.na@example.cn"),
            Mailbox::new(None, "plain@x.org"),
        ] {
            assert_eq!(parse_one(&m.to_string()).unwrap(), m, "{m}");
        }
        assert_eq!(Mailbox::new(Some("x@y.org"), "x@y.org").name, None);
        assert_eq!(Mailbox::new(None, "a@Example.ORG").domain(), "Example.ORG");
        assert!(Mailbox::new(None, "A@Example.org").same_addr("a@example.ORG"));
    }
}
