//! The shape of `assets/demo/mailbox.toml` (see the comments at its top for the rules).

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    pub fresh_days: f64,
    /// Folders to create even when empty (parents); Unicode, '/'-separated.
    pub folders: Vec<String>,
    pub people: BTreeMap<String, Person>,
    #[serde(default, rename = "thread")]
    pub threads: Vec<Thread>,
    #[serde(default)]
    pub series: Vec<Series>,
    #[serde(default, rename = "newsletter")]
    pub newsletters: Vec<Newsletter>,
    #[serde(default, rename = "single")]
    pub singles: Vec<Single>,
    #[serde(default, rename = "eml")]
    pub emls: Vec<Eml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Person {
    pub name: String,
    pub email: String,
    /// UTC offset like "+08:00": the sender's Date header is in their own zone.
    pub tz: String,
}

/// A conversation: message i is sent by `from[i]` and says `text[i]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Thread {
    pub subject: String,
    /// Days before "now" of the first message; the rest follow a few hours apart.
    pub start: f64,
    #[serde(default = "inbox")]
    pub folder: String,
    pub from: Vec<String>,
    pub text: Vec<String>,
    #[serde(default)]
    pub flagged: bool,
    #[serde(default)]
    pub unread: bool,
}

/// Machine mail: `count` messages `every` days apart from `start` days ago.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Series {
    pub from: String,
    pub subject: String,
    #[serde(default)]
    pub picks: Vec<String>,
    pub count: u32,
    pub first: u32,
    pub start: f64,
    pub every: f64,
    pub text: String,
    #[serde(default = "inbox")]
    pub folder: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Newsletter {
    pub from: String,
    pub title: String,
    #[serde(default)]
    pub style: NewsletterStyle,
    pub first: u32,
    pub count: u32,
    pub start: f64,
    pub every: f64,
    /// [headline, url, blurb]; three per issue, rotating.
    pub items: Vec<[String; 3]>,
    #[serde(default = "inbox")]
    pub folder: String,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum NewsletterStyle {
    /// multipart/alternative: a plain-text version and the HTML.
    #[default]
    Alternative,
    /// Only a quoted-printable HTML part, as many bulk senders do.
    Html,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Single {
    pub from: String,
    /// Recipients; default: "me".
    #[serde(default)]
    pub to: Vec<String>,
    pub subject: String,
    pub days: f64,
    pub text: String,
    #[serde(default = "inbox")]
    pub folder: String,
    /// File names under assets/demo/files.
    #[serde(default)]
    pub attach: Vec<String>,
    /// Send as HTML only.
    #[serde(default)]
    pub html: bool,
    #[serde(default)]
    pub flagged: bool,
    #[serde(default)]
    pub unread: bool,
    #[serde(default)]
    pub draft: bool,
}

/// A message taken byte for byte from assets/demo/eml (only its Date is moved).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Eml {
    pub file: String,
    pub days: f64,
    #[serde(default = "inbox")]
    pub folder: String,
    #[serde(default)]
    pub flagged: bool,
}

fn inbox() -> String {
    "INBOX".into()
}
