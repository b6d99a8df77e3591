//! Mailbox addresses in header values (`Name <user@domain>`, groups), read the way
//! mail-parser reads an address header and checked with lettre's address grammar.

use mail_parser::HeaderValue;
use mail_parser::parsers::MessageStream;

/// The bare address of `Name <addr>` or `addr`, when it is one mailbox.
pub fn parse_mailbox(text: &str) -> Option<String> {
    let list = addresses(text)?;
    match list.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The addresses of an address-list header value (groups flattened).
pub fn addresses(value: &str) -> Option<Vec<String>> {
    let bytes = [value.as_bytes(), b"\r\n"].concat();
    let list = match MessageStream::new(&bytes).parse_address() {
        HeaderValue::Address(a) => a,
        _ => return None,
    };
    let out: Vec<String> = list
        .iter()
        .map(|a| a.address().map(str::to_string))
        .collect::<Option<_>>()?;
    let valid = out.iter().all(|a| a.parse::<lettre::Address>().is_ok());
    (!out.is_empty() && valid).then_some(out)
}
