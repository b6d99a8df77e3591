//! [`Cmd::SavePart`](crate::msg::Cmd::SavePart): a part written to its file as it arrives,
//! with progress now and then and a cancel looked at between reads.

use std::time::{Duration, Instant};

use super::Worker;
use crate::error::Error;
use crate::imap::part_stream;
use crate::mime::Part;
use crate::msg::{Cancel, Event, Folder, ReqId, SaveTo, Uid};
use crate::save::PartWriter;

/// How often progress is reported: often enough to look alive, rarely enough to cost nothing.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl Worker {
    pub(super) fn save_part(
        &mut self,
        req: ReqId,
        folder: &Folder,
        uid: Uid,
        part: &Part,
        to: &SaveTo,
        cancel: &Cancel,
    ) {
        let result = 'save: {
            // A text part read before is on disk already (and this works offline).
            if let Some(raw) = self.cached_part(folder, uid, &part.section) {
                break 'save PartWriter::create(part, to).and_then(|mut writer| {
                    writer.write(&raw)?;
                    writer.finish()
                });
            }
            let events = self.events.clone();
            let total = part.size;
            self.in_folder(folder, |c| {
                // Created on each try: a try that fails removes its file.
                let mut writer = PartWriter::create(part, to)?;
                let mut done = 0;
                let mut shown = Instant::now();
                part_stream::stream(c, uid, &part.section, total, &mut |piece| {
                    if cancel.is_cancelled() {
                        return Err(Error::Refused(format!(
                            "saving part {} was cancelled",
                            part.section
                        )));
                    }
                    writer.write(piece)?;
                    done += piece.len() as u64;
                    if shown.elapsed() >= PROGRESS_EVERY {
                        shown = Instant::now();
                        let _ = events.send(Event::SaveProgress { req, done, total });
                    }
                    Ok(())
                })?;
                writer.finish()
            })
        };
        match result {
            Ok(path) => self.emit(Event::Saved { req, path }),
            Err(e) => {
                if matches!(e, Error::Refused(_) | Error::Io(_) | Error::OutputClosed) {
                    // Stopped mid-answer (a cancel, a full disk): the rest of it is still
                    // coming, so this connection is done; the next command opens another.
                    self.conn = None;
                }
                self.fail(Some(req), e);
            }
        }
    }
}
