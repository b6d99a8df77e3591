//! The two SASL mechanisms that carry a bearer token: Google's XOAUTH2 and RFC 7628's
//! OAUTHBEARER. Both are one message from the client; a refused token gets one error
//! challenge from the server, which must be answered before the server sends its final "no".

/// A bearer-token mechanism, by its IANA name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Xoauth2,
    OAuthBearer,
}

impl Mechanism {
    /// The standard one first: OAUTHBEARER where the server offers it, else XOAUTH2.
    /// `offered` holds the server's mechanism names (`AUTH=` already stripped).
    pub fn choose<'a>(offered: impl IntoIterator<Item = &'a str> + Clone) -> Option<Mechanism> {
        let has = |name: &str| {
            offered
                .clone()
                .into_iter()
                .any(|m| m.eq_ignore_ascii_case(name))
        };
        if has("OAUTHBEARER") {
            Some(Mechanism::OAuthBearer)
        } else if has("XOAUTH2") {
            Some(Mechanism::Xoauth2)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
        }
    }

    /// The client's first (and only) message, before base64.
    pub fn initial_response(self, user: &str, token: &str) -> String {
        match self {
            Mechanism::Xoauth2 => format!("user={user}\x01auth=Bearer {token}\x01\x01"),
            // gs2 header "n,a=USER," (no channel binding), then the key/value pairs.
            Mechanism::OAuthBearer => {
                format!("n,a={},\x01auth=Bearer {token}\x01\x01", gs2_escape(user))
            }
        }
    }

    /// The answer to the server's error challenge (a JSON status): XOAUTH2 wants an empty
    /// line, OAUTHBEARER a lone %x01 (RFC 7628 3.2.3). Either way the server then says no.
    pub fn error_ack(self) -> &'static str {
        match self {
            Mechanism::Xoauth2 => "",
            Mechanism::OAuthBearer => "\x01",
        }
    }

    /// What to send for a challenge: the token for the server's first, empty challenge, the
    /// acknowledgement for anything else (which can only be the error report).
    pub fn respond(self, challenge: &[u8], user: &str, token: &str) -> String {
        if challenge.is_empty() {
            self.initial_response(user, token)
        } else {
            self.error_ack().to_string()
        }
    }
}

/// RFC 5801's saslname: ',' and '=' would end the authzid early.
fn gs2_escape(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauthbearer_is_preferred_and_names_are_case_blind() {
        assert_eq!(
            Mechanism::choose(["PLAIN", "xoauth2", "OAUTHBEARER"]),
            Some(Mechanism::OAuthBearer)
        );
        assert_eq!(
            Mechanism::choose(["PLAIN", "xoauth2"]),
            Some(Mechanism::Xoauth2)
        );
        assert_eq!(Mechanism::choose(["PLAIN", "LOGIN"]), None);
    }

    #[test]
    fn messages_match_the_wire_formats() {
        assert_eq!(
            Mechanism::Xoauth2.initial_response("alice", "T"),
            "user=alice\x01auth=Bearer T\x01\x01"
        );
        assert_eq!(
            Mechanism::OAuthBearer.initial_response("a,b=c@example.org", "T"),
            "n,a=a=2Cb=3Dc@example.org,\x01auth=Bearer T\x01\x01"
        );
    }

    #[test]
    fn an_error_challenge_gets_the_acknowledgement_not_the_token_again() {
        let error = br#"{"status":"401","schemes":"bearer"}"#;
        assert_eq!(Mechanism::Xoauth2.respond(error, "a", "T"), "");
        assert_eq!(Mechanism::OAuthBearer.respond(error, "a", "T"), "\x01");
        assert!(
            Mechanism::Xoauth2
                .respond(b"", "a", "T")
                .contains("Bearer T")
        );
    }
}
