//! All inboxes on two private Dovecot servers seeded alike, so both INBOXes hold the same
//! UIDs: a flag, its undo and a move across each reach only the row's own account, checked on
//! both servers, with the App driven by a real worker per account.

mod support;

use support::Env;
use support::accounts::Session;
use tern::msg::Event;
use tern::ui::accounts::AccountId;
use tern::ui::inboxes::InboxKey;

const HOME: AccountId = AccountId(0);
const WORK: AccountId = AccountId(1);

/// The flags of `uid` in `folder` on the server (but \Recent); None when it is gone.
fn flags(env: &Env, folder: &str, uid: u32) -> Option<Vec<String>> {
    let mut s = env.server.session("alice").unwrap();
    s.select(folder).unwrap();
    let fetched = s.uid_fetch(uid.to_string(), "(UID FLAGS)").unwrap();
    let f = fetched.iter().find(|f| f.uid == Some(uid))?;
    Some(
        f.flags()
            .iter()
            .map(|f| f.to_string())
            .filter(|f| f != "\\Recent")
            .collect(),
    )
}

fn flagged(env: &Env, uid: u32) -> bool {
    flags(env, "INBOX", uid).is_some_and(|f| f.iter().any(|f| f == "\\Flagged"))
}

/// Both accounts with All inboxes open and both INBOXes synced.
fn all_inboxes(home: &Env, work: &Env) -> Session {
    let text = std::fs::read_to_string(home.config_with(work)).unwrap();
    let mut accounts = tern::config::parse(&text).unwrap().accounts;
    accounts.iter_mut().for_each(|a| a.cache = false);
    let mut s = Session::start(accounts);
    let (mut synced, mut listed) = (false, false);
    s.run_until("both accounts ready", |account, ev| {
        synced |= account == HOME && matches!(ev, Event::SyncDone { .. });
        listed |= account == WORK && matches!(ev, Event::Folders(_));
        synced && listed
    });
    // The folder pane's first row.
    s.press("BackTab g Enter");
    assert!(s.app.inboxes().is_active());
    s.run_until("work's INBOX synced", |account, ev| {
        account == WORK && matches!(ev, Event::SyncDone { .. })
    });
    s
}

/// Puts the All inboxes cursor on `key`.
fn point_at(s: &mut Session, key: InboxKey) {
    s.press("g");
    let row = s.app.inbox_rows().iter().position(|k| *k == key).unwrap();
    if row > 0 {
        s.press(&vec!["j"; row].join(" "));
    }
    assert_eq!(s.app.inboxes().selected(), Some(key));
}

#[test]
fn actions_in_all_inboxes_reach_only_the_rows_account_by_uid() {
    let (home, work) = (Env::start(), Env::start());
    let uid = home.uid("INBOX", "plain.eml");
    assert_eq!(work.uid("INBOX", "plain.eml"), uid, "seeded alike");
    let mut s = all_inboxes(&home, &work);
    let rows = s.app.inbox_rows();
    let (at_home, at_work) = (
        InboxKey { account: HOME, uid },
        InboxKey { account: WORK, uid },
    );
    assert!(
        rows.contains(&at_home) && rows.contains(&at_work),
        "{rows:?}"
    );

    // Flag work's message: work's server has it flagged, home's same UID does not.
    point_at(&mut s, at_work);
    s.press("f");
    s.run_until("work's flag stored", |account, ev| {
        account == WORK && matches!(ev, Event::Stored { .. })
    });
    assert!(flagged(&work, uid) && !flagged(&home, uid));
    assert!(
        s.app
            .inbox_flags(at_work)
            .unwrap()
            .has(tern::msg::Flag::Flagged)
    );
    s.press("u");
    s.run_until("work's flag undone", |account, ev| {
        account == WORK && matches!(ev, Event::Stored { .. })
    });
    assert!(!flagged(&work, uid) && !flagged(&home, uid));

    // Move home's message to work's Projects: it leaves home's INBOX only.
    point_at(&mut s, at_home);
    s.press("m");
    s.type_text("work: work/proj");
    s.press("Enter");
    s.run_until("the original expunged at home", |account, ev| {
        account == HOME && matches!(ev, Event::Expunged { .. })
    });
    assert_eq!(flags(&home, "INBOX", uid), None);
    assert!(
        flags(&work, "INBOX", uid).is_some(),
        "work's UID {uid} untouched"
    );
    let mut there = work.server.session("alice").unwrap();
    there.select("Work/Projects").unwrap();
    let new = *there.uid_search("ALL").unwrap().iter().max().unwrap();
    assert!(flags(&work, "Work/Projects", new).is_some());
    let rows = s.app.inbox_rows();
    assert!(
        !rows.contains(&at_home) && rows.contains(&at_work),
        "{rows:?}"
    );

    // Undo brings it back to home's INBOX (as a new UID), out of work's Projects.
    s.press("u");
    s.run_until("the copy expunged at work", |account, ev| {
        account == WORK && matches!(ev, Event::Expunged { .. })
    });
    assert_eq!(flags(&work, "Work/Projects", new), None);
    assert!(flags(&work, "INBOX", uid).is_some());
    let mut back = home.server.session("alice").unwrap();
    back.select("INBOX").unwrap();
    let returned = *back.uid_search("ALL").unwrap().iter().max().unwrap();
    assert!(returned > uid, "it came back as a new message");
    let back_row = InboxKey {
        account: HOME,
        uid: returned,
    };
    // Its summary may have come while the undo was being answered.
    if !s.app.inbox_rows().contains(&back_row) {
        s.run_until("home's new row", |account, ev| {
            account == HOME && matches!(ev, Event::Summaries { .. })
        });
    }
    assert!(s.app.inbox_rows().contains(&back_row));
}
