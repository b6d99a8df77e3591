//! Keeping the open folder in step with the server while the user looks at it.
//!
//! IDLE (on its own connection) or, only while IDLE is not running, a poll timer says *that*
//! something changed; a delta
//! sync on the worker's connection finds *what*: new UIDs, vanished UIDs and changed flags,
//! compared with the baseline in [`OpenFolder`](super::OpenFolder). Comparing by UID makes
//! the result right whatever responses were lost on the way, and whoever made the change.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::Worker;
use super::sync::CHUNK;
use super::warm::FLAG_SCAN_LIMIT;
use crate::error::Result;
use crate::imap::idler::{Idler, Notice};
use crate::imap::session::map_err;
use crate::imap::{folders, messages};
use crate::msg::{Event, Flags, Folder, Uid};

impl Worker {
    pub(super) fn on_notice(&mut self, notice: Notice) {
        match notice {
            Notice::Changed if self.sync.is_some() => self.refresh_due = true,
            Notice::Changed => self.refresh(),
            Notice::Failed(why) => {
                tracing::warn!("IDLE connection failed: {why}; polling instead");
                self.idler = None;
            }
        }
    }

    /// The next moment a timer needs the worker.
    pub(super) fn next_deadline(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(3600);
        let mut at = far;
        if self.refresh_due && self.conn.is_some() {
            return Instant::now();
        }
        if let Some(t) = self.offline.as_ref().and_then(|o| o.next_try) {
            at = at.min(t);
        }
        // IDLE says when the folder changes; the poll is only for when it is not running (and
        // restarts it), so an idle tern on a server with IDLE has no timer for the folder.
        if self.open.is_some() && self.conn.is_some() && self.idler.is_none() {
            at = at.min(self.next_poll);
        }
        if self.folders_listed && self.conn.is_some() {
            at = at.min(self.next_status);
        }
        at
    }

    pub(super) fn on_timer(&mut self) {
        let now = Instant::now();
        if self
            .offline
            .as_ref()
            .and_then(|o| o.next_try)
            .is_some_and(|t| t <= now)
        {
            self.try_reconnect();
            return;
        }
        if self.conn.is_none() {
            return;
        }
        let poll_due = self.idler.is_none() && self.open.is_some() && now >= self.next_poll;
        if self.refresh_due || poll_due {
            // Polling stands in for a failed idler, and tries to restart it.
            if self.idler.is_none() {
                self.start_idler();
            }
            self.refresh();
        }
        if self.folders_listed && now >= self.next_status {
            self.next_status = now + Duration::from_secs(self.account.status_interval_secs.max(1));
            match folders::list(self.conn.as_mut().expect("checked above")) {
                Ok(list) => self.emit(Event::Folders(list)),
                Err(e) => self.fail(None, e),
            }
        }
    }

    /// Starts IDLE on the open folder when the server and the config allow it.
    pub(super) fn start_idler(&mut self) {
        let Some(open) = &self.open else {
            return;
        };
        let wanted = self.account.idle && self.conn.as_ref().is_some_and(|c| c.has("IDLE"));
        if !wanted {
            return;
        }
        match Idler::start(
            &self.account,
            &self.password,
            open.folder.raw(),
            self.notices.0.clone(),
        ) {
            Ok(idler) => self.idler = Some(idler),
            Err(e) => tracing::warn!("cannot start IDLE: {e}; polling instead"),
        }
    }

    /// Delta sync of the open folder against the baseline.
    pub(super) fn refresh(&mut self) {
        self.refresh_due = false;
        self.next_poll =
            Instant::now() + Duration::from_secs(self.account.poll_interval_secs.max(1));
        if let Err(e) = self.try_refresh() {
            self.fail(None, e);
        }
    }

    fn try_refresh(&mut self) -> Result<()> {
        let Some(open) = self.open.as_ref() else {
            return Ok(());
        };
        let (folder, uid_validity) = (open.folder.clone(), open.uid_validity);
        let conn = self.connection()?;
        conn.session.noop().map_err(|e| map_err("NOOP", e))?;
        // `* OK [ALERT]` is news for the user. A `* NO` may mean this session's view is
        // broken (Dovecot warns on every NOOP once the selected folder was deleted, and its
        // STATUS then still reports the old UIDVALIDITY), so it earns one fresh connection;
        // if the new one warns too, the warning is the server's own state: shown, not acted
        // on again, so a server that answers every NOOP with `* NO` sees no reconnect storm.
        let warned = self.show_alerts(self.conn.as_ref().expect("connected above"));
        let retry = std::mem::replace(&mut self.warned_reconnect, warned);
        let now_valid = folders::status(self.connection()?, folder.raw())?.uid_validity;
        if (warned && !retry) || (now_valid != 0 && now_valid != uid_validity) {
            tracing::warn!("{folder}: the session looks stale; reconnecting");
            self.conn = None;
            self.idler = None;
            self.connection()?;
            if self.open.as_ref().is_some_and(|o| o.folder == folder) {
                self.refresh_due = true;
            }
            return Ok(());
        }
        let conn = self.connection()?;
        // What NOOP reported is only a hint; the comparison below is the truth.
        let _ = conn.session.take_all_unsolicited().count();
        let now = messages::uids(conn)?;
        let scan_flags = now.len() <= FLAG_SCAN_LIMIT;
        let server_flags = if scan_flags && !now.is_empty() {
            messages::flags_of_all(conn)?
        } else {
            Vec::new()
        };
        let Some(open) = self.open.as_mut() else {
            return Ok(());
        };
        let before: HashSet<Uid> = open.uids.iter().copied().collect();
        let after: HashSet<Uid> = now.iter().copied().collect();
        let gone: Vec<Uid> = open
            .uids
            .iter()
            .copied()
            .filter(|u| !after.contains(u))
            .collect();
        let new: Vec<Uid> = now
            .iter()
            .copied()
            .filter(|u| !before.contains(u))
            .collect();
        let changes: Vec<(Uid, Flags)> = server_flags
            .into_iter()
            .filter(|(uid, flags)| open.flags.get(*uid).is_some_and(|known| known != *flags))
            .collect();
        open.uids = now;
        open.flags.retain(|u| after.contains(&u));
        for (uid, flags) in &changes {
            open.flags.insert(*uid, *flags);
        }
        self.report_delta(&folder, uid_validity, gone, changes, new)
    }

    /// Tells the model what a delta sync found: expunged UIDs, changed flags, and new mail
    /// with its summaries; the cache learns the same.
    pub(super) fn report_delta(
        &mut self,
        folder: &Folder,
        uid_validity: u32,
        gone: Vec<Uid>,
        changes: Vec<(Uid, Flags)>,
        new: Vec<Uid>,
    ) -> Result<()> {
        if !gone.is_empty() {
            self.cache_remove(folder.name(), &gone);
            self.emit(Event::Expunged {
                req: None,
                folder: folder.clone(),
                uids: gone,
            });
        }
        if !changes.is_empty() {
            self.cache_flags(folder.name(), &changes);
            self.emit(Event::FlagsChanged {
                folder: folder.clone(),
                changes,
            });
        }
        if new.is_empty() {
            return Ok(());
        }
        self.emit(Event::Arrived {
            folder: folder.clone(),
            uid_validity,
            uids: new.clone(),
        });
        for chunk in new.chunks(CHUNK) {
            let rows = self.summaries(chunk)?;
            self.rows_fetched(folder, uid_validity, rows);
        }
        Ok(())
    }
}
