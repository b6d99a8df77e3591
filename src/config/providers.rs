//! The built-in table of well-known providers: where their servers are and how they want to
//! be logged in to, so that an account needs only `email = "..."` and a password source or
//! `tern login`. [`fill`] applies it to a parsed config; what the user wrote always wins.
//!
//! Values are the providers' own help pages as of 2026 (each entry says which), checked
//! against a second source where the help page is in Chinese only.

use serde::Deserialize;

use super::oauth2::Provider as OAuth2Provider;
use super::{Account, AuthMethod, Config, Protocol, Smtp, TlsMode, locate};

/// One server of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    pub host: &'static str,
    pub port: u16,
    pub tls: TlsMode,
}

/// A provider's entry in the table.
#[derive(Debug, PartialEq, Eq)]
pub struct Known {
    /// What the user is told ("Gmail").
    pub name: &'static str,
    /// The address domains it serves (Google Workspace or Microsoft 365 domains are the
    /// customer's own, so only `provider = ...` in `[account.oauth2]` finds those).
    pub domains: &'static [&'static str],
    pub imap: Server,
    /// None where the provider has no POP3.
    pub pop3: Option<Server>,
    pub smtp: Server,
    /// The OAuth2 preset for providers that sign in with OAuth2 by default.
    pub oauth2: Option<OAuth2Provider>,
    /// False where the provider files submitted mail in Sent itself (a second copy would
    /// appear otherwise).
    pub save_sent: bool,
    /// Where the password for a mail client comes from, for messages and `config init`.
    pub password_hint: &'static str,
}

const fn implicit(host: &'static str, port: u16) -> Server {
    Server {
        host,
        port,
        tls: TlsMode::Implicit,
    }
}

const fn starttls(host: &'static str, port: u16) -> Server {
    Server {
        host,
        port,
        tls: TlsMode::Starttls,
    }
}

/// A NetEase (Coremail) domain: each has its own host names, the same rules.
const fn netease(
    domains: &'static [&'static str],
    imap: &'static str,
    pop3: &'static str,
    smtp: &'static str,
) -> Known {
    Known {
        name: "NetEase (163/126/yeah.net)",
        domains,
        imap: implicit(imap, 993),
        pop3: Some(implicit(pop3, 995)),
        smtp: implicit(smtp, 465),
        oauth2: None,
        save_sent: true,
        password_hint: NETEASE_HINT,
    }
}

/// NetEase refuses the account password from mail clients ("Unsafe Login" on 163/126).
pub const NETEASE_HINT: &str = "NetEase mail wants an authorization code (授权码), not the account password: in the web mail, Settings (设置) → POP3/SMTP/IMAP, turn on IMAP/SMTP and create one";

pub const TABLE: &[Known] = &[
    // support.google.com/mail/answer/7126229. Gmail stores what its SMTP server sends in
    // [Gmail]/Sent Mail itself.
    Known {
        name: "Gmail",
        domains: &["gmail.com", "googlemail.com"],
        imap: implicit("imap.gmail.com", 993),
        pop3: Some(implicit("pop.gmail.com", 995)),
        smtp: implicit("smtp.gmail.com", 465),
        oauth2: Some(OAuth2Provider::Gmail),
        save_sent: false,
        password_hint: "Gmail takes OAuth2 (`tern login`), or an app password from myaccount.google.com/apppasswords (needs 2-step verification)",
    },
    // support.microsoft.com "POP, IMAP, and SMTP settings for Outlook.com": submission is
    // STARTTLS on 587 only. Exchange Online files submitted mail in Sent Items itself.
    Known {
        name: "Outlook.com",
        domains: &["outlook.com", "hotmail.com", "live.com", "msn.com"],
        imap: implicit("outlook.office365.com", 993),
        pop3: Some(implicit("outlook.office365.com", 995)),
        smtp: starttls("smtp-mail.outlook.com", 587),
        oauth2: Some(OAuth2Provider::Outlook),
        save_sent: false,
        password_hint: "Outlook.com takes OAuth2 (`tern login`); basic passwords are being switched off",
    },
    // support.apple.com/102525: no POP3; submission is STARTTLS on 587.
    Known {
        name: "iCloud Mail",
        domains: &["icloud.com", "me.com", "mac.com"],
        imap: implicit("imap.mail.me.com", 993),
        pop3: None,
        smtp: starttls("smtp.mail.me.com", 587),
        oauth2: None,
        save_sent: true,
        password_hint: "iCloud wants an app-specific password from account.apple.com (Sign-In and Security → App-Specific Passwords)",
    },
    // fastmail.help "Server names and ports".
    Known {
        name: "Fastmail",
        domains: &["fastmail.com", "fastmail.fm"],
        imap: implicit("imap.fastmail.com", 993),
        pop3: Some(implicit("pop.fastmail.com", 995)),
        smtp: implicit("smtp.fastmail.com", 465),
        oauth2: None,
        save_sent: true,
        password_hint: "Fastmail wants an app password (Settings → Privacy & Security → App passwords)",
    },
    // help.yahoo.com "IMAP server settings for Yahoo Mail".
    Known {
        name: "Yahoo Mail",
        domains: &["yahoo.com", "ymail.com", "rocketmail.com"],
        imap: implicit("imap.mail.yahoo.com", 993),
        pop3: Some(implicit("pop.mail.yahoo.com", 995)),
        smtp: implicit("smtp.mail.yahoo.com", 465),
        oauth2: None,
        save_sent: true,
        password_hint: "Yahoo wants an app password (Account Info → Account Security → Generate app password)",
    },
    // help.mail.163.com (the "客户端设置" pages): SSL ports 993/995/465.
    netease(&["163.com"], "imap.163.com", "pop.163.com", "smtp.163.com"),
    netease(&["126.com"], "imap.126.com", "pop.126.com", "smtp.126.com"),
    netease(
        &["yeah.net"],
        "imap.yeah.net",
        "pop.yeah.net",
        "smtp.yeah.net",
    ),
    // service.mail.qq.com (the IMAP/SMTP client settings page): SSL ports 993/995/465.
    Known {
        name: "QQ Mail",
        domains: &["qq.com", "vip.qq.com", "foxmail.com"],
        imap: implicit("imap.qq.com", 993),
        pop3: Some(implicit("pop.qq.com", 995)),
        smtp: implicit("smtp.qq.com", 465),
        oauth2: None,
        save_sent: true,
        password_hint: "QQ Mail wants an authorization code (授权码): Settings (设置) → Account (账号) → POP3/IMAP/SMTP service, turn on IMAP and create one",
    },
];

/// The domain of an address, lower-cased: what the table is keyed by.
pub fn domain(address: &str) -> Option<String> {
    let (local, domain) = address.trim().rsplit_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// The provider serving `address`, by its domain.
pub fn for_address(address: &str) -> Option<&'static Known> {
    let domain = domain(address)?;
    TABLE.iter().find(|k| k.domains.contains(&domain.as_str()))
}

/// Microsoft 365 (work and school) mailboxes: the customer's own domains, so found only by
/// `provider = "outlook"`. Microsoft Learn "POP, IMAP, and SMTP settings": the same IMAP
/// and POP3 servers as Outlook.com, submission on smtp.office365.com.
const MICROSOFT_365: Known = Known {
    name: "Microsoft 365",
    domains: &[],
    imap: implicit("outlook.office365.com", 993),
    pop3: Some(implicit("outlook.office365.com", 995)),
    smtp: starttls("smtp.office365.com", 587),
    oauth2: Some(OAuth2Provider::Outlook),
    save_sent: false,
    password_hint: "Microsoft 365 takes OAuth2 (`tern login`)",
};

/// The provider behind an OAuth2 preset, for a Workspace or Microsoft 365 domain of one's own.
fn for_oauth2(preset: OAuth2Provider) -> &'static Known {
    match preset {
        OAuth2Provider::Outlook => &MICROSOFT_365,
        OAuth2Provider::Gmail => TABLE
            .iter()
            .find(|k| k.oauth2 == Some(preset))
            .expect("Gmail is in the table"),
    }
}

/// The provider whose IMAP or POP3 server `host` is, for an account that names its host.
fn for_host(host: &str) -> Option<&'static Known> {
    TABLE.iter().chain([&MICROSOFT_365]).find(|k| {
        k.imap.host.eq_ignore_ascii_case(host)
            || k.pop3.is_some_and(|p| p.host.eq_ignore_ascii_case(host))
    })
}

/// The keys each `[[account]]` table spells out, so the table fills only the others.
#[derive(Deserialize)]
struct Written {
    #[serde(default)]
    account: Vec<toml::Table>,
}

/// Fills what each account leaves out from the table, by its `email` (or its OAuth2 preset):
/// the IMAP or POP3 server, the username, `[account.smtp]` (unless mail goes elsewhere),
/// `save_sent` and, with no password source, OAuth2. An account without a host afterwards is
/// an error on its line that says whether the domain is unknown.
pub(super) fn fill(config: &mut Config, text: &str) -> Result<(), String> {
    let written: Written = toml::from_str(text).map_err(|e| e.message().to_string())?;
    for (account, keys) in config.accounts.iter_mut().zip(&written.account) {
        let wrote = |key: &str| keys.contains_key(key);
        if account.username.is_empty()
            && let Some(email) = &account.email
        {
            account.username = email.clone();
        }
        let known = account
            .email
            .as_deref()
            .and_then(for_address)
            .or_else(|| preset(account).map(for_oauth2));
        if !wrote("host")
            && let Some(known) = known
        {
            apply(account, known, &wrote, text)?;
        }
        // A config that names the server itself still must not file a second Sent copy.
        if wrote("host")
            && !wrote("save_sent")
            && let Some(known) = for_host(&account.host)
        {
            account.save_sent = known.save_sent;
        }
        require(account, &wrote, text)?;
    }
    Ok(())
}

fn preset(account: &Account) -> Option<OAuth2Provider> {
    account.oauth2.as_ref().and_then(|o| o.provider)
}

fn apply(
    account: &mut Account,
    known: &Known,
    wrote: &dyn Fn(&str) -> bool,
    text: &str,
) -> Result<(), String> {
    let server = match account.protocol {
        Protocol::Imap => known.imap,
        Protocol::Pop3 => known.pop3.ok_or_else(|| {
            format!(
                "{}: {} has no POP3; remove protocol = \"pop3\" to use IMAP",
                locate(text, &account.name, "protocol"),
                known.name
            )
        })?,
    };
    account.host = server.host.into();
    if !wrote("tls") {
        account.tls = server.tls;
    }
    if !wrote("port") && account.tls == server.tls {
        account.port = Some(server.port);
    }
    if !wrote("save_sent") {
        account.save_sent = known.save_sent;
    }
    let elsewhere = ["smtp", "sendmail_command", "lmtp_socket"];
    if !elsewhere.iter().any(|k| wrote(k)) {
        account.smtp = Some(Smtp {
            host: known.smtp.host.into(),
            port: Some(known.smtp.port),
            tls: known.smtp.tls,
            username: None,
            password: None,
            password_command: None,
            password_env: None,
            accept_invalid_certs: false,
        });
    }
    let password_keys = ["password", "password_command", "password_env"];
    if let Some(oauth2) = known.oauth2
        && !wrote("auth")
        && !password_keys.iter().any(|k| wrote(k))
    {
        account.auth = AuthMethod::Oauth2;
        if let Some(table) = account.oauth2.as_mut() {
            table.provider.get_or_insert(oauth2);
        }
    }
    Ok(())
}

/// What neither the user nor the table supplied: a host, a username. (`host = ""` written
/// out is reported by the general validation.)
fn require(account: &Account, wrote: &dyn Fn(&str) -> bool, text: &str) -> Result<(), String> {
    let at = || locate(text, &account.name, "email");
    if let Some(email) = account.email.as_deref().filter(|e| domain(e).is_none()) {
        return Err(format!("{}: email = {email:?} is not an address", at()));
    }
    if account.host.is_empty() && !wrote("host") {
        let why = match account.email.as_deref().and_then(domain) {
            Some(domain) => format!(
                "{domain} is not in tern's table of known providers (README: Known providers), so set host (and [account.smtp] to send)"
            ),
            None => "set host, or email = \"you@provider\" for a known provider".into(),
        };
        return Err(format!(
            "{}: account \"{}\" has no host: {why}",
            at(),
            account.name
        ));
    }
    if account.username.is_empty() && !wrote("username") {
        return Err(format!(
            "{}: account \"{}\" has no username (set username, or email)",
            at(),
            account.name
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;

    fn one(text: &str) -> Result<Account, String> {
        parse(text).map(|mut c| c.accounts.remove(0))
    }

    #[test]
    fn lookups_go_by_domain_case_blind() {
        assert_eq!(for_address("Me@GMail.com").unwrap().name, "Gmail");
        assert_eq!(for_address("x@126.com").unwrap().imap.host, "imap.126.com");
        assert_eq!(for_address("x@foxmail.com").unwrap().name, "QQ Mail");
        assert_eq!(for_address("x@example.org"), None);
        assert_eq!(for_address("gmail.com"), None);
        assert_eq!(for_address("@gmail.com"), None);
        for known in TABLE {
            assert!(
                known
                    .domains
                    .iter()
                    .all(|d| for_address(&format!("a@{d}")) == Some(known)),
                "{} shadowed by an earlier entry",
                known.name
            );
        }
    }

    #[test]
    fn an_address_alone_fills_the_servers() {
        let a = one(
            "[[account]]\nname = \"n\"\nemail = \"me@163.com\"\npassword_command = \"pass 163\"\n",
        )
        .unwrap();
        assert_eq!(
            (a.host.as_str(), a.port(), a.tls),
            ("imap.163.com", 993, TlsMode::Implicit)
        );
        assert_eq!(a.username, "me@163.com");
        assert_eq!(a.from_address(), Some("me@163.com"));
        let smtp = a.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port()), ("smtp.163.com", 465));
        assert!(a.save_sent && a.auth == AuthMethod::Password);
    }

    #[test]
    fn gmail_defaults_to_oauth2_and_lets_gmail_file_sent_mail() {
        let a = one("[[account]]\nname = \"g\"\nemail = \"me@gmail.com\"\n[account.oauth2]\nclient_id = \"id\"\n")
            .unwrap();
        assert_eq!(a.auth, AuthMethod::Oauth2);
        assert_eq!(
            a.oauth2.as_ref().unwrap().provider,
            Some(OAuth2Provider::Gmail)
        );
        assert!(a.oauth2().is_some() && !a.save_sent);
        // An app password instead: the password source keeps it a password account.
        let a = one("[[account]]\nname = \"g\"\nemail = \"me@gmail.com\"\npassword_env = \"P\"\n")
            .unwrap();
        assert_eq!(a.auth, AuthMethod::Password);
        let e = one("[[account]]\nname = \"g\"\nemail = \"me@gmail.com\"\n").unwrap_err();
        assert!(e.contains("[account.oauth2]"), "{e}");
    }

    #[test]
    fn what_the_user_wrote_wins() {
        let a = one(concat!(
            "[[account]]\nname = \"o\"\nemail = \"me@outlook.com\"\nusername = \"other@outlook.com\"\n",
            "tls = \"starttls\"\nsave_sent = true\nsendmail_command = \"msmtp\"\npassword_env = \"P\"\n"
        ))
        .unwrap();
        assert_eq!(
            (a.host.as_str(), a.tls, a.port()),
            ("outlook.office365.com", TlsMode::Starttls, 143)
        );
        assert_eq!(a.username, "other@outlook.com");
        assert!(a.save_sent && a.smtp.is_none() && a.auth == AuthMethod::Password);
        // A host of one's own: nothing is taken from the table.
        let a = one("[[account]]\nname = \"q\"\nemail = \"me@qq.com\"\nhost = \"127.0.0.1\"\n")
            .unwrap();
        assert_eq!(
            (a.host.as_str(), a.port(), a.smtp),
            ("127.0.0.1", 993, None)
        );
    }

    #[test]
    fn a_workspace_domain_is_found_by_its_oauth2_preset() {
        let a = one("[[account]]\nname = \"w\"\nemail = \"me@corp.example\"\nauth = \"oauth2\"\n[account.oauth2]\nprovider = \"outlook\"\nclient_id = \"id\"\n")
            .unwrap();
        assert_eq!(a.host, "outlook.office365.com");
        assert_eq!(a.smtp.unwrap().host, "smtp.office365.com");
    }

    #[test]
    fn a_gmail_host_written_out_still_leaves_sent_mail_to_gmail() {
        let head = "[[account]]\nname = \"g\"\nhost = \"IMAP.gmail.com\"\nusername = \"u\"\n";
        assert!(!one(head).unwrap().save_sent);
        assert!(one(&format!("{head}save_sent = true\n")).unwrap().save_sent);
        let own = "[[account]]\nname = \"o\"\nhost = \"mail.example.org\"\nusername = \"u\"\n";
        assert!(one(own).unwrap().save_sent);
    }

    #[test]
    fn pop3_takes_the_pop3_server_where_there_is_one() {
        let a =
            one("[[account]]\nname = \"p\"\nprotocol = \"pop3\"\nemail = \"me@qq.com\"\n").unwrap();
        assert_eq!((a.host.as_str(), a.port()), ("pop.qq.com", 995));
        let e = one("[[account]]\nname = \"p\"\nprotocol = \"pop3\"\nemail = \"me@icloud.com\"\n")
            .unwrap_err();
        assert!(e.starts_with("3:1:") && e.contains("no POP3"), "{e}");
    }

    #[test]
    fn an_unknown_domain_still_needs_a_host_on_its_line() {
        let e = one("\n[[account]]\nname = \"x\"\nemail = \"me@example.org\"\n").unwrap_err();
        assert!(e.starts_with("4:1:"), "{e}");
        assert!(e.contains("example.org is not in tern's table"), "{e}");
        let e = one("[[account]]\nname = \"x\"\nemail = \"me\"\n").unwrap_err();
        assert!(e.starts_with("3:1:") && e.contains("not an address"), "{e}");
        let e = one("[[account]]\nname = \"x\"\nusername = \"u\"\n").unwrap_err();
        assert!(e.contains("has no host"), "{e}");
        let e = one("[[account]]\nname = \"x\"\nhost = \"h\"\n").unwrap_err();
        assert!(e.contains("no username"), "{e}");
        let e =
            one("[[account]]\nname = \"x\"\nemail = \"me@gmail.com\"\nemial = 1\n").unwrap_err();
        assert!(e.starts_with("4:1:"), "{e}");
    }
}
