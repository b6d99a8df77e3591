//! Writes a private Postfix instance's main.cf and master.cf: loopback only, every
//! accepted address delivered into a Dovecot over LMTP, SMTP AUTH checked by that Dovecot,
//! nothing ever relayed elsewhere.

use std::fmt::Write as _;
use std::path::Path;

/// Everything the two files depend on.
pub(crate) struct PostfixParams<'a> {
    pub dir: &'a Path,
    /// Unique per instance: Postfix tags its log lines and IPC names with it.
    pub syslog_name: &'a str,
    pub smtps_port: u16,
    pub submission_port: u16,
    pub plain_port: u16,
    pub domains: &'a [String],
    /// Local parts that exist (Dovecot's users); anything else is refused at RCPT.
    pub users: &'a [String],
    pub lmtp_socket: &'a Path,
    pub auth_socket: &'a Path,
    pub cert_pem: &'a Path,
    pub key_pem: &'a Path,
    pub message_size_limit: u64,
    pub catch_all: Option<&'a str>,
}

pub(crate) fn main_cf(p: &PostfixParams) -> String {
    let d = p.dir.display();
    let mailboxes: Vec<String> = p
        .users
        .iter()
        .flat_map(|u| p.domains.iter().map(move |dom| format!("{u}@{dom}=ok")))
        .collect();
    let mut c = String::new();
    let mut set = |key: &str, value: String| {
        let _ = writeln!(c, "{key} = {value}");
    };
    set("compatibility_level", "3.6".into());
    set("queue_directory", format!("{d}/queue"));
    set("data_directory", format!("{d}/data"));
    set("mail_owner", "postfix".into());
    set("setgid_group", "postdrop".into());
    // No syslog in a container: Postfix's own log file (through the postlog service).
    set("maillog_file", format!("{d}/maillog"));
    set("maillog_file_prefixes", d.to_string());
    set("syslog_name", p.syslog_name.into());
    set("inet_interfaces", "127.0.0.1".into());
    set("inet_protocols", "ipv4".into());
    set("myhostname", "localhost".into());
    set("mydestination", String::new());
    set("mynetworks", "127.0.0.0/8".into());
    set("virtual_mailbox_domains", p.domains.join(", "));
    set(
        "virtual_mailbox_maps",
        format!("inline:{{ {} }}", mailboxes.join(", ")),
    );
    set(
        "virtual_transport",
        format!("lmtp:unix:{}", p.lmtp_socket.display()),
    );
    if let Some(address) = p.catch_all {
        set("virtual_alias_maps", format!("static:{address}"));
        // Else it defaults to the map's domains: with a static map, every domain, and the
        // mailbox domain would then be an alias domain too.
        set("virtual_alias_domains", String::new());
    }
    // Nothing leaves this machine.
    set("local_transport", "error:local delivery is disabled".into());
    set(
        "default_transport",
        "error:no mail leaves the test MTA".into(),
    );
    set(
        "relay_transport",
        "error:no mail leaves the test MTA".into(),
    );
    set("smtpd_sasl_type", "dovecot".into());
    set("smtpd_sasl_path", p.auth_socket.display().to_string());
    set("smtpd_sasl_auth_enable", "yes".into());
    set("smtpd_tls_auth_only", "yes".into());
    set(
        "smtpd_relay_restrictions",
        "permit_sasl_authenticated, reject_unauth_destination".into(),
    );
    // Submission: only authenticated clients may send, like a provider's port 587/465.
    set(
        "smtpd_recipient_restrictions",
        "permit_sasl_authenticated, reject".into(),
    );
    set("smtpd_tls_cert_file", p.cert_pem.display().to_string());
    set("smtpd_tls_key_file", p.key_pem.display().to_string());
    set("smtpd_tls_security_level", "may".into());
    set("smtp_tls_security_level", "none".into());
    set("message_size_limit", p.message_size_limit.to_string());
    // Fast retries, so a test waiting on a deferred message does not wait minutes.
    set("queue_run_delay", "1s".into());
    set("minimal_backoff_time", "1s".into());
    set("maximal_backoff_time", "10s".into());
    set("service_throttle_time", "1s".into());
    set("biff", "no".into());
    set("append_dot_mydomain", "no".into());
    set("alias_maps", String::new());
    set("alias_database", String::new());
    c
}

/// Three SMTP listeners plus the internal services, all unchrooted so the socket paths under
/// the instance directory work.
pub(crate) fn master_cf(p: &PostfixParams) -> String {
    let mut c = String::new();
    let mut line = |s: String| {
        let _ = writeln!(c, "{s}");
    };
    line(format!(
        "127.0.0.1:{} inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes",
        p.smtps_port
    ));
    line(format!(
        "127.0.0.1:{} inet n - n - - smtpd",
        p.submission_port
    ));
    // No STARTTLS offered and AUTH allowed in plain: for `tls = "none"` and for proving that
    // a client which asked for STARTTLS refuses to go on without it.
    line(format!(
        "127.0.0.1:{} inet n - n - - smtpd\n  -o smtpd_tls_security_level=none\n  -o smtpd_tls_auth_only=no",
        p.plain_port
    ));
    for service in [
        "cleanup unix n - n - 0 cleanup",
        "qmgr unix n - n 300 1 qmgr",
        "tlsmgr unix - - n 1000? 1 tlsmgr",
        "rewrite unix - - n - - trivial-rewrite",
        "bounce unix - - n - 0 bounce",
        "defer unix - - n - 0 bounce",
        "trace unix - - n - 0 bounce",
        "verify unix - - n - 1 verify",
        "flush unix n - n 1000? 0 flush",
        "proxymap unix - - n - - proxymap",
        "proxywrite unix - - n - 1 proxymap",
        "smtp unix - - n - - smtp",
        "relay unix - - n - - smtp",
        "showq unix n - n - - showq",
        "error unix - - n - - error",
        "retry unix - - n - - error",
        "discard unix - - n - - discard",
        "lmtp unix - - n - - lmtp",
        "anvil unix - - n - 1 anvil",
        "scache unix - - n - 1 scache",
        "postlog unix-dgram n - n - 1 postlogd",
    ] {
        line(service.to_string());
    }
    c
}
