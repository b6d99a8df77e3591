//! The header fields a message list's row is made of, found in one pass over a header block:
//! what a summary fetch asks a server for (`BODY.PEEK[HEADER.FIELDS (…)]`, [`NAMES`]).
//! Values come straight from a server: nothing here trusts them to be well formed.

/// The fields, as an IMAP `HEADER.FIELDS` list. Asking for these instead of ENVELOPE costs
/// Dovecot about half the CPU (an ENVELOPE is built from the same header, with every address
/// list quoted and parsed), and the reply is smaller: the list shows one sender and one
/// recipient, not six address lists.
pub const NAMES: &str = "DATE FROM TO SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE";

/// Each field's raw value (folded lines included, the final line break left out); the first
/// of its name when a header repeats one. None when the block has no such field.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ListFields<'a> {
    pub date: Option<&'a [u8]>,
    pub from: Option<&'a [u8]>,
    pub to: Option<&'a [u8]>,
    pub subject: Option<&'a [u8]>,
    pub message_id: Option<&'a [u8]>,
    pub in_reply_to: Option<&'a [u8]>,
    pub references: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
}

impl<'a> ListFields<'a> {
    /// The fields of `block`; any other field is passed over.
    pub fn read(block: &'a [u8]) -> ListFields<'a> {
        let mut fields = ListFields::default();
        let mut at = 0;
        while at < block.len() {
            let line_end = next_line(block, at);
            // A value runs on over the lines that start with a blank.
            let mut end = line_end;
            while matches!(block.get(end), Some(b' ' | b'\t')) {
                end = next_line(block, end);
            }
            let line = &block[at..line_end];
            if let Some(colon) = memchr::memchr(b':', line)
                && let Some(slot) = fields.slot(line[..colon].trim_ascii_end())
                && slot.is_none()
            {
                let value = &block[at + colon + 1..end];
                let value = value.strip_suffix(b"\n").unwrap_or(value);
                *slot = Some(value.strip_suffix(b"\r").unwrap_or(value));
            }
            at = end;
        }
        fields
    }

    fn slot(&mut self, name: &[u8]) -> Option<&mut Option<&'a [u8]>> {
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        // By length first: most names a block holds are then told apart by one comparison.
        match name.len() {
            2 if is("To") => Some(&mut self.to),
            4 if is("Date") => Some(&mut self.date),
            4 if is("From") => Some(&mut self.from),
            7 if is("Subject") => Some(&mut self.subject),
            10 if is("Message-ID") => Some(&mut self.message_id),
            10 if is("References") => Some(&mut self.references),
            11 if is("In-Reply-To") => Some(&mut self.in_reply_to),
            12 if is("Content-Type") => Some(&mut self.content_type),
            _ => None,
        }
    }
}

/// Where the line starting at `at` ends: past its `\n`, or at the end of the block.
fn next_line(block: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |n| at + n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_found_in_any_case_with_its_folded_lines() {
        let block = b"FROM: Al <al@x.org>\r\nsubject: a long\r\n\tsubject\r\nX-Other: from: no\r\n\
            To: b@y.org\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-Id: <m@x>\r\n\
            In-Reply-To: <p@x>\r\nReferences: <r@x>\r\n <p@x>\r\nContent-Type : text/plain\r\n\r\n";
        let f = ListFields::read(block);
        assert_eq!(f.from, Some(&b" Al <al@x.org>"[..]));
        assert_eq!(f.subject, Some(&b" a long\r\n\tsubject"[..]));
        assert_eq!(f.to, Some(&b" b@y.org"[..]));
        assert_eq!(f.date, Some(&b" Mon, 1 Jan 2024 10:00:00 +0000"[..]));
        assert_eq!(f.message_id, Some(&b" <m@x>"[..]));
        assert_eq!(f.in_reply_to, Some(&b" <p@x>"[..]));
        assert_eq!(f.references, Some(&b" <r@x>\r\n <p@x>"[..]));
        assert_eq!(f.content_type, Some(&b" text/plain"[..]));
    }

    #[test]
    fn the_first_of_a_repeated_field_counts_and_broken_lines_are_passed_over() {
        let block = b"Subject: one\nno colon here\n: no name\nSubject: two\nTo:\n";
        let f = ListFields::read(block);
        assert_eq!(f.subject, Some(&b" one"[..]));
        assert_eq!(f.to, Some(&b""[..]));
        assert_eq!(f.from, None);
        assert_eq!(ListFields::read(b""), ListFields::default());
        // Cut off inside a value: what is there counts.
        assert_eq!(ListFields::read(b"From: a@b").from, Some(&b" a@b"[..]));
    }
}
