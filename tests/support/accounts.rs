//! The TUI's App with several accounts, each with a real worker, driven the way the main loop
//! drives it: events from every worker go to the app tagged with their account, follow-ups go
//! back to that worker, the app's routed commands to the worker they name, and key presses'
//! commands to the open account's.

use std::time::{Duration, Instant};

use crossbeam_channel::Select;

use super::ui::{WIDE, press, profile, settings, type_text};
use tern::config::Account;
use tern::imap::worker::Handle;
use tern::msg::{Cmd, Event};
use tern::ui::accounts::AccountId;
use tern::ui::app::App;

pub struct Session {
    pub app: App,
    handles: Vec<Handle>,
}

impl Session {
    /// The first account open at INBOX, the others listing their folders.
    pub fn start(accounts: Vec<Account>) -> Session {
        let mut s = settings("INBOX", WIDE);
        s.account = accounts[0].name.clone();
        let (mut app, start) = App::new(s);
        let mut starts = vec![start];
        for a in &accounts[1..] {
            let from = format!("Alice <alice@{}.example>", a.name);
            starts.push(app.add_account(profile(&a.name, &from)).1);
        }
        let handles = accounts
            .iter()
            .map(|a| tern::backend::spawn(a.clone(), "wonderland".into()))
            .collect();
        let session = Session { app, handles };
        for (i, cmds) in starts.into_iter().enumerate() {
            session.send(AccountId(i), cmds);
        }
        session
    }

    fn send(&self, account: AccountId, cmds: Vec<Cmd>) {
        for cmd in cmds {
            self.handles[account.0].commands.send(cmd).unwrap();
        }
    }

    /// Presses keys; their commands go to the open account's worker.
    pub fn press(&mut self, keys: &str) {
        let cmds = press(&mut self.app, keys);
        self.send(self.app.open_account(), cmds);
        self.send_routed();
    }

    pub fn type_text(&mut self, text: &str) {
        let cmds = type_text(&mut self.app, text);
        self.send(self.app.open_account(), cmds);
    }

    fn send_routed(&mut self) {
        for (account, cmd) in self.app.take_routed() {
            self.send(account, vec![cmd]);
        }
    }

    /// Feeds every worker's events to the app until `want` matches one (30 s failure
    /// deadline) and whatever follows within a quiet half second.
    pub fn run_until(&mut self, what: &str, mut want: impl FnMut(AccountId, &Event) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = false;
        loop {
            let wait = if seen {
                Duration::from_millis(500)
            } else {
                deadline.saturating_duration_since(Instant::now())
            };
            let mut select = Select::new();
            for h in &self.handles {
                select.recv(&h.events);
            }
            let Ok(op) = select.select_timeout(wait) else {
                assert!(seen, "no {what} within 30 s");
                return;
            };
            let i = op.index();
            let ev = op.recv(&self.handles[i].events).expect("a worker stopped");
            let account = AccountId(i);
            seen |= want(account, &ev);
            let follow = self.app.on_account_event(account, ev);
            self.send(account, follow);
            self.send_routed();
        }
    }
}
