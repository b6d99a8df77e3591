//! Provider folder layouts on a real Dovecot: a server laid out like Gmail (`[Gmail]/All Mail`
//! marked `\All`, `[Gmail]/Trash` marked `\Trash`, no Archive) archives into All Mail and
//! deletes into its Trash, by the one rule in `tern::policy`.

mod support;

use support::Env;
use tern::devserver::DovecotOptions;
use tern::imap::{folders, session};
use tern::msg::SpecialUse;

fn gmail_like() -> Env {
    let special = [
        ("[Gmail]/All Mail", "\\All"),
        ("[Gmail]/Sent Mail", "\\Sent"),
        ("[Gmail]/Trash", "\\Trash"),
        ("[Gmail]/Drafts", "\\Drafts"),
    ];
    Env::with(DovecotOptions {
        special_folders: Some(
            special
                .iter()
                .map(|(name, flag)| (name.to_string(), flag.to_string()))
                .collect(),
        ),
        ..DovecotOptions::default()
    })
}

fn connect(env: &Env) -> session::Connection {
    let text = std::fs::read_to_string(env.config("")).expect("config");
    let account = tern::config::parse(&text)
        .expect("parse")
        .accounts
        .remove(0);
    session::connect(&account, "wonderland").expect("login")
}

#[test]
fn without_an_archive_folder_archiving_goes_to_all_mail() {
    let env = gmail_like();
    let mut conn = connect(&env);
    let listed = folders::list(&mut conn).expect("LIST");
    let all = listed
        .iter()
        .find(|f| f.folder.name() == "[Gmail]/All Mail")
        .expect("All Mail is listed");
    assert!(
        all.attributes.iter().any(|a| a == "\\All"),
        "{:?}",
        all.attributes
    );
    let mut role = |role| folders::find_role(&mut conn, role).expect("LIST");
    assert_eq!(
        role(SpecialUse::Archive).as_deref(),
        Some("[Gmail]/All Mail")
    );
    assert_eq!(role(SpecialUse::Trash).as_deref(), Some("[Gmail]/Trash"));
}

#[test]
fn an_archive_folder_is_still_preferred_to_all_mail() {
    let env = Env::with(DovecotOptions {
        special_folders: Some(vec![
            ("All Mail".into(), "\\All".into()),
            ("Archive".into(), "\\Archive".into()),
        ]),
        ..DovecotOptions::default()
    });
    let mut conn = connect(&env);
    let archive = folders::find_role(&mut conn, SpecialUse::Archive).expect("LIST");
    assert_eq!(archive.as_deref(), Some("Archive"));
}
