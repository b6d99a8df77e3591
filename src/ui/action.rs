//! What a key can ask for: a closed set of named, documented actions. The names are the ones
//! `assets/keymap.toml` and `[keys]` use; the docs are what the help overlay shows.

/// Movement actions are generic: the pane with focus decides what "down" means (next row,
/// next folder, scroll the reader), so one table serves every pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Back,
    Help,
    Command,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    NextPane,
    PrevPane,
    Open,
    Collapse,
    CollapseAll,
    Threads,
    NextThread,
    PrevThread,
    NextUnreadInThread,
    TagThread,
    Conversation,
    AllHeaders,
    Alternative,
    Raw,
    Parts,
    SavePart,
    SaveAll,
    OpenPart,
    Tag,
    TagPattern,
    UntagAll,
    ToggleRead,
    ToggleFlag,
    ToggleAnswered,
    Move,
    Copy,
    Archive,
    Delete,
    Expunge,
    Undo,
    Filter,
    Search,
    Sort,
    NextHit,
    PrevHit,
    CreateFolder,
    RenameFolder,
    DeleteFolder,
    ToggleSubscribed,
    SubscribedOnly,
    NextAccount,
    PrevAccount,
    Reconnect,
    Compose,
    Reply,
    ReplyAll,
    Forward,
    ForwardAttached,
    EditDraft,
    Send,
    Edit,
    Attach,
    Detach,
    Postpone,
    Abort,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: &[Action] = &[
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::NextPane,
        Action::PrevPane,
        Action::Open,
        Action::Collapse,
        Action::AllHeaders,
        Action::Alternative,
        Action::Raw,
        Action::Parts,
        Action::SavePart,
        Action::SaveAll,
        Action::OpenPart,
        Action::Tag,
        Action::TagThread,
        Action::TagPattern,
        Action::UntagAll,
        Action::ToggleRead,
        Action::ToggleFlag,
        Action::ToggleAnswered,
        Action::Move,
        Action::Copy,
        Action::Archive,
        Action::Delete,
        Action::Expunge,
        Action::Undo,
        Action::Filter,
        Action::Search,
        Action::Sort,
        Action::Threads,
        Action::CollapseAll,
        Action::NextThread,
        Action::PrevThread,
        Action::NextUnreadInThread,
        Action::Conversation,
        Action::NextHit,
        Action::PrevHit,
        Action::CreateFolder,
        Action::RenameFolder,
        Action::DeleteFolder,
        Action::ToggleSubscribed,
        Action::SubscribedOnly,
        Action::NextAccount,
        Action::PrevAccount,
        Action::Reconnect,
        Action::Compose,
        Action::Reply,
        Action::ReplyAll,
        Action::Forward,
        Action::ForwardAttached,
        Action::EditDraft,
        Action::Send,
        Action::Edit,
        Action::Attach,
        Action::Detach,
        Action::Postpone,
        Action::Abort,
        Action::Command,
        Action::Help,
        Action::Back,
        Action::Quit,
    ];

    pub fn name(self) -> &'static str {
        self.describe().0
    }

    pub fn doc(self) -> &'static str {
        self.describe().1
    }

    /// Actions of the review screen: their keys mean something else elsewhere.
    pub fn is_review(self) -> bool {
        crate::config::keys::REVIEW_ACTIONS.contains(&self.name())
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Action::Quit => ("quit", "Quit tern at once"),
            Action::Back => (
                "back",
                "Cancel a save in progress; else close the overlay, the part list or the message, or clear the filter or search; else ask to quit",
            ),
            Action::Help => ("help", "Show this help"),
            Action::Command => ("command", "Open the command line (see commands below)"),
            Action::Down => (
                "down",
                "Next row, or scroll down in the reader; a count repeats it",
            ),
            Action::Up => (
                "up",
                "Previous row, or scroll up in the reader; a count repeats it",
            ),
            Action::Top => ("top", "First row, or the top of the message"),
            Action::Bottom => ("bottom", "Last row, or the end of the message"),
            Action::PageDown => ("page_down", "One screen down"),
            Action::PageUp => ("page_up", "One screen up"),
            Action::NextPane => ("next_pane", "Move to the next pane"),
            Action::PrevPane => ("prev_pane", "Move to the previous pane"),
            Action::Open => (
                "open",
                "Open the folder or message under the cursor; after a number N, open link N",
            ),
            Action::Collapse => (
                "collapse",
                "Collapse or expand the folder under the cursor; in the list, fold or unfold the thread",
            ),
            Action::CollapseAll => (
                "collapse_all",
                "Fold every thread to its first message, or unfold them all",
            ),
            Action::Threads => (
                "threads",
                "List the folder as conversations, newest first, or as messages again",
            ),
            Action::NextThread => ("next_thread", "First message of the next thread"),
            Action::PrevThread => (
                "prev_thread",
                "First message of this thread, or of the one before",
            ),
            Action::NextUnreadInThread => (
                "next_unread_in_thread",
                "Next unread message of this thread (unfolding it)",
            ),
            Action::TagThread => (
                "tag_thread",
                "Tag every message of the thread, or untag them if all are tagged",
            ),
            Action::Conversation => (
                "conversation",
                "Read the open message's whole thread in date order, with your replies from Sent and quotes folded (z unfolds them)",
            ),
            Action::AllHeaders => ("all_headers", "Show all headers or only the usual five"),
            Action::Alternative => (
                "alternative",
                "Switch between the plain-text and HTML versions of the message",
            ),
            Action::Raw => ("raw", "Show the raw message source, or the message again"),
            Action::Parts => ("parts", "Show the message's parts and move to them"),
            Action::SavePart => (
                "save_part",
                "Save the part under the cursor to the download folder",
            ),
            Action::SaveAll => ("save_all", "Save every attachment to the download folder"),
            Action::OpenPart => (
                "open_part",
                "Open the part under the cursor: your mailcap's viewer, else the desktop's; over SSH, text in $PAGER",
            ),
            Action::Tag => (
                "tag",
                "Tag or untag the message; the actions below then apply to every tagged one",
            ),
            Action::TagPattern => (
                "tag_pattern",
                "Tag every listed message whose sender or subject contains the text typed",
            ),
            Action::UntagAll => ("untag_all", "Untag every message"),
            Action::ToggleRead => ("toggle_read", "Mark read; if all already are, mark unread"),
            Action::ToggleFlag => ("toggle_flag", "Flag; if all already are, unflag"),
            Action::ToggleAnswered => (
                "toggle_answered",
                "Mark answered; if all already are, clear it",
            ),
            Action::Move => ("move", "Move to a folder picked by typing part of its name"),
            Action::Copy => ("copy", "Copy to a folder picked by typing part of its name"),
            Action::Archive => ("archive", "Move to the Archive folder"),
            Action::Delete => (
                "delete",
                "Move to Trash; in Trash, or with delete = \"flag\", mark deleted",
            ),
            Action::Expunge => (
                "expunge",
                "Remove for good the tagged (or selected) messages marked deleted; asks first",
            ),
            Action::Undo => ("undo", "Undo the last flag change, move or delete"),
            Action::Filter => (
                "filter",
                "Narrow the list as you type (sender, recipient, subject); Enter keeps it, Esc clears",
            ),
            Action::Search => (
                "search",
                "Search the folder on the server, e.g. from:alice is:unread; Esc clears",
            ),
            Action::Sort => (
                "sort",
                "Sort the list: pick the key, r reverses; :sort takes it typed, e.g. :sort unread size reverse",
            ),
            Action::NextHit => ("next_hit", "Next search hit"),
            Action::PrevHit => ("prev_hit", "Previous search hit"),
            Action::CreateFolder => (
                "create_folder",
                "Create a folder (named under the one under the folder cursor)",
            ),
            Action::RenameFolder => ("rename_folder", "Rename the folder under the folder cursor"),
            Action::DeleteFolder => (
                "delete_folder",
                "Delete the folder under the folder cursor; asks first",
            ),
            Action::ToggleSubscribed => (
                "toggle_subscribed",
                "Subscribe to or unsubscribe from the folder under the folder cursor",
            ),
            Action::SubscribedOnly => (
                "subscribed_only",
                "Show only subscribed folders, or all of them",
            ),
            Action::NextAccount => (
                "next_account",
                "Open the next account at its default folder (:account NAME opens one by name)",
            ),
            Action::PrevAccount => (
                "prev_account",
                "Open the previous account at its default folder",
            ),
            Action::Reconnect => (
                "reconnect",
                "Reconnect now instead of waiting; after a refused login, type the password again",
            ),
            Action::Compose => ("compose", "Write a new message in your editor"),
            Action::Reply => ("reply", "Reply to the sender of the message"),
            Action::ReplyAll => ("reply_all", "Reply to the sender and every recipient"),
            Action::Forward => (
                "forward",
                "Forward the message with its text and attachments inline",
            ),
            Action::ForwardAttached => (
                "forward_attached",
                "Forward the whole message as an attachment",
            ),
            Action::EditDraft => (
                "edit_draft",
                "Resume the draft under the cursor (in the Drafts folder)",
            ),
            Action::Send => ("send", "Review screen: send the message"),
            Action::Edit => ("edit", "Review screen: edit the message again"),
            Action::Attach => (
                "attach",
                "Review screen: attach files (Tab completes the path)",
            ),
            Action::Detach => ("detach", "Review screen: remove an attachment"),
            Action::Postpone => (
                "postpone",
                "Review screen: save the draft to Drafts for later",
            ),
            Action::Abort => ("abort", "Review screen: throw the draft away (asks first)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keys::DEFAULT_KEYMAP;

    #[test]
    fn actions_and_default_keymap_agree() {
        let table: toml::Table = toml::from_str(DEFAULT_KEYMAP).unwrap();
        for a in Action::ALL {
            assert!(
                table.contains_key(a.name()),
                "{} has no default keys",
                a.name()
            );
            assert_eq!(Action::from_name(a.name()), Some(*a));
        }
        for name in table.keys() {
            assert!(Action::from_name(name).is_some(), "{name} is not an action");
        }
    }
}
