//! The account's identities (its `from` and `aliases`): which addresses are "me" when replying
//! to all, and which identity answers a message.

use super::address::{self, BadAddress, Mailbox};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identities {
    /// The configured `from`: the identity of new mail.
    pub primary: Mailbox,
    /// Other addresses of the account; one without a name borrows the primary's.
    pub aliases: Vec<Mailbox>,
}

impl Identities {
    /// From the configuration's `from` and `aliases` strings.
    pub fn parse(from: &str, aliases: &[String]) -> Result<Identities, BadAddress> {
        let primary = address::parse_one(from)?;
        let aliases = aliases
            .iter()
            .map(|a| address::parse_one(a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Identities::new(primary, aliases))
    }

    pub fn new(primary: Mailbox, aliases: Vec<Mailbox>) -> Identities {
        let aliases = aliases
            .into_iter()
            .map(|a| Mailbox {
                name: a.name.or_else(|| primary.name.clone()),
                addr: a.addr,
            })
            .collect();
        Identities { primary, aliases }
    }

    pub fn is_mine(&self, addr: &str) -> bool {
        self.all().any(|m| m.same_addr(addr))
    }

    /// The identity a message was sent to: the first of `recipients` that is one of ours
    /// (To before Cc before Delivered-To, as the caller orders them), else the primary.
    pub fn answering<'a>(&self, recipients: impl IntoIterator<Item = &'a Mailbox>) -> Mailbox {
        recipients
            .into_iter()
            .find_map(|r| self.all().find(|m| m.same_addr(&r.addr)))
            .unwrap_or(&self.primary)
            .clone()
    }

    fn all(&self) -> impl Iterator<Item = &Mailbox> {
        std::iter::once(&self.primary).chain(&self.aliases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Identities {
        Identities::parse(
            "Alice Liddell <alice@example.org>",
            &["alice@example.com".into(), "Al <al@work.example>".into()],
        )
        .unwrap()
    }

    #[test]
    fn aliases_borrow_the_name_and_count_as_mine() {
        let me = alice();
        assert_eq!(me.aliases[0].name.as_deref(), Some("Alice Liddell"));
        assert_eq!(me.aliases[1].name.as_deref(), Some("Al"));
        assert!(me.is_mine("ALICE@example.com"));
        assert!(me.is_mine("alice@example.org"));
        assert!(!me.is_mine("bob@example.org"));
    }

    #[test]
    fn answers_as_the_identity_the_mail_was_sent_to() {
        let me = alice();
        let to = [
            Mailbox::new(None, "bob@example.org"),
            Mailbox::new(None, "Alice@Example.com"),
        ];
        assert_eq!(me.answering(&to).addr, "alice@example.com");
        assert_eq!(me.answering(&to[..1]).addr, "alice@example.org");
        assert!(Identities::parse("not an address", &[]).is_err());
    }
}
