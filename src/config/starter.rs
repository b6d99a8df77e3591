//! The config `tern config init --email ADDRESS` writes: for a provider in the table, only
//! what the user must supply (a client id for OAuth2, else a password source), with where to
//! get it; for any other domain, the documented example with the address filled in.

use super::providers::{self, Known};
use crate::error::{Error, Result};

/// The text to write and the provider it is for (None: the generic example).
#[derive(Debug)]
pub struct Starter {
    pub text: String,
    pub known: Option<&'static Known>,
}

impl Starter {
    /// What to tell the user once the file is written.
    pub fn next_step(&self, address: &str) -> String {
        match self.known {
            Some(known) if known.oauth2.is_some() => format!(
                "a config for {} ({}): set client_id in it, then run `tern login`",
                address, known.name
            ),
            Some(known) => format!(
                "a config for {} ({}): {}",
                address, known.name, known.password_hint
            ),
            None => format!(
                "{} is not in tern's table of known providers: this is the documented example with your address filled in; set host and [account.smtp] host",
                providers::domain(address).unwrap_or_default()
            ),
        }
    }
}

pub fn for_address(address: &str) -> Result<Starter> {
    // A line break would end the comment that names the address.
    let Some(domain) = providers::domain(address).filter(|_| !address.contains(char::is_control))
    else {
        return Err(Error::Config(format!("{address:?} is not an address")));
    };
    // A TOML string, quoted and escaped.
    let quoted = toml::Value::String(address.trim().to_string()).to_string();
    let Some(known) = providers::for_address(address) else {
        return Ok(Starter {
            text: super::init::EXAMPLE.replacen(
                "username = \"me@example.com\"",
                &format!("username = {quoted}"),
                1,
            ),
            known: None,
        });
    };
    let name = domain.split('.').next().unwrap_or(&domain);
    let mut text = format!(
        "# tern configuration for {address} ({provider}), written by `tern config init --email`.\n\
         # Servers, ports and TLS come from tern's table of known providers; a key set here wins\n\
         # over it. `tern config init` without --email writes the example that documents every key.\n\
         \n\
         [[account]]\n\
         name = \"{name}\"\n\
         email = {quoted}\n",
        address = address.trim(),
        provider = known.name,
    );
    match known.oauth2 {
        Some(preset) => {
            text.push_str(&format!(
                "auth = \"oauth2\"\n\
                 \n\
                 # {hint}.\n\
                 # Register your own OAuth client (a desktop app, as for aerc or NeoMutt), set its id\n\
                 # below, then run `tern login --account {name}`. For an app password instead: remove\n\
                 # the auth line and this table, and set password_command.\n\
                 [account.oauth2]\n\
                 provider = \"{preset}\"\n\
                 client_id = \"\"\n",
                hint = known.password_hint,
                preset = preset.as_str(),
            ));
        }
        None => text.push_str(&format!(
            "\n\
             # {hint}.\n\
             # Then either let tern ask for it at start, or store it and name the command that\n\
             # prints it:\n\
             # password_command = \"pass show mail/{name}\"\n",
            hint = known.password_hint,
        )),
    }
    Ok(Starter {
        text,
        known: Some(known),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AuthMethod, parse};

    #[test]
    fn gmail_gets_oauth2_and_an_empty_client_id_reported_on_its_line() {
        let s = for_address("me@gmail.com").unwrap();
        assert!(s.text.contains("provider = \"gmail\""), "{}", s.text);
        assert!(s.next_step("me@gmail.com").contains("tern login"));
        let e = parse(&s.text).unwrap_err();
        let line = s
            .text
            .lines()
            .position(|l| l.starts_with("client_id"))
            .unwrap()
            + 1;
        assert!(
            e.starts_with(&format!("{line}:1:")) && e.contains("client_id"),
            "{e}"
        );
        let filled = s.text.replace("client_id = \"\"", "client_id = \"x\"");
        let account = parse(&filled).unwrap().accounts.remove(0);
        assert_eq!(
            (account.host.as_str(), account.auth),
            ("imap.gmail.com", AuthMethod::Oauth2)
        );
        assert!(!account.save_sent);
    }

    #[test]
    fn netease_gets_the_authorization_code_hint_and_parses_as_is() {
        let s = for_address("someone@163.com").unwrap();
        assert!(s.text.contains("授权码"), "{}", s.text);
        let account = parse(&s.text).unwrap().accounts.remove(0);
        assert_eq!(
            (account.name.as_str(), account.host.as_str()),
            ("163", "imap.163.com")
        );
        assert_eq!(account.username, "someone@163.com");
    }

    #[test]
    fn an_unknown_domain_gets_the_example_with_the_address() {
        let s = for_address("me@example.org").unwrap();
        assert!(s.known.is_none());
        let account = parse(&s.text).unwrap().accounts.remove(0);
        assert_eq!(account.username, "me@example.org");
        assert!(
            s.next_step("me@example.org")
                .contains("not in tern's table")
        );
        assert!(for_address("nobody").is_err());
    }

    #[test]
    fn an_address_cannot_break_out_of_its_string() {
        let s = for_address("a\"host = \"b@qq.com").unwrap();
        let account = parse(&s.text).unwrap().accounts.remove(0);
        assert_eq!(account.email.as_deref(), Some("a\"host = \"b@qq.com"));
        assert_eq!(account.host, "imap.qq.com");
        assert!(for_address("a\nhost = \"b@qq.com").is_err());
    }
}
