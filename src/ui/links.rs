//! Which links from a mail tern hands to the system opener.

/// Links a mail may have opened by the system opener: web pages and new mail. Anything else
/// (`file:`, bare paths, `javascript:`, custom handlers) could open local files or start
/// programs on the word of a stranger's mail.
pub(crate) fn openable_link(url: &str) -> bool {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("http" | "https" | "mailto"))
        && !url.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::openable_link;

    #[test]
    fn only_web_and_mail_links_are_opened() {
        for ok in [
            "https://a.example/x",
            "HTTP://a.example",
            "mailto:bob@example.com",
        ] {
            assert!(openable_link(ok), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "/home/alice/.ssh/id_ed25519",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " https://a.example",
            "https://a.example/\x1b]0;x\x07",
            "smb://host/share",
            "",
        ] {
            assert!(!openable_link(bad), "{bad}");
        }
    }
}
