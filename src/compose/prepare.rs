//! A stored draft made ready for the send step: parsed, checked and built.

use std::fmt;

use super::build::{self, Purpose};
use super::draft::{Draft, DraftError};
use super::meta::Meta;
use super::store::DraftDir;
use crate::error::Error;

#[derive(Debug, Clone)]
pub struct Prepared {
    /// The message for the send step, which takes its envelope from To, Cc and Bcc and
    /// removes the Bcc header.
    pub bytes: Vec<u8>,
    /// Envelope recipients: To, Cc and Bcc.
    pub recipients: Vec<String>,
    /// The envelope sender: the From address.
    pub sender: String,
    /// `<id@domain>`.
    pub message_id: String,
    /// The sidecar: what to flag and what to remove once sent.
    pub meta: Meta,
}

/// Why a draft cannot be sent: what the user wrote (back to the editor), or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepareError {
    Draft(DraftError),
    Io(Error),
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::Draft(e) => write!(f, "{e}"),
            PrepareError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PrepareError {}

impl From<Error> for PrepareError {
    fn from(e: Error) -> Self {
        PrepareError::Io(e)
    }
}

/// Reads, checks and builds the draft in `dir`, dated now.
pub fn prepare(dir: &DraftDir) -> Result<Prepared, PrepareError> {
    let draft = Draft::parse(&dir.text()?).map_err(PrepareError::Draft)?;
    let meta = dir.meta()?;
    let attachments = dir.load_attachments(&meta)?;
    let bytes = build::build(&draft, &meta, &attachments, &build::now(), Purpose::Submit);
    Ok(Prepared {
        bytes,
        recipients: draft.recipients(),
        sender: draft.from.addr.clone(),
        message_id: build::message_id(&draft, &meta),
        meta,
    })
}

#[cfg(test)]
mod tests {
    use mail_parser::MessageParser;

    use super::*;
    use crate::compose::address::Mailbox;
    use crate::compose::meta::new_id_local;
    use crate::compose::store::DraftStore;

    #[test]
    fn prepares_envelope_and_reports_draft_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::open(tmp.path()).unwrap();
        let mut draft = Draft::new(Mailbox::new(None, "alice@example.org"));
        draft.to.push(Mailbox::new(None, "bob@x.org"));
        draft.bcc.push(Mailbox::new(None, "hidden@x.org"));
        draft.subject = "hi".into();
        let meta = Meta {
            id_local: new_id_local(),
            ..Meta::default()
        };
        let dir = store.create(&draft, &meta, &[]).unwrap();
        let p = prepare(&dir).unwrap();
        assert_eq!(p.recipients, ["bob@x.org", "hidden@x.org"]);
        assert_eq!(p.sender, "alice@example.org");
        let parsed = MessageParser::default().parse(&p.bytes).unwrap();
        assert_eq!(
            parsed.bcc().unwrap().first().unwrap().address(),
            Some("hidden@x.org")
        );
        assert_eq!(format!("<{}>", parsed.message_id().unwrap()), p.message_id);
        // The same draft keeps its Message-ID however often it is built.
        assert_eq!(prepare(&dir).unwrap().message_id, p.message_id);

        dir.save_text("From: alice@example.org\nTo:\n\nbody")
            .unwrap();
        assert_eq!(
            prepare(&dir).unwrap_err(),
            PrepareError::Draft(DraftError::NoRecipient)
        );
    }
}
