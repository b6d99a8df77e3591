//! Which messages the list shows: the open folder's messages (or only the search hits),
//! narrowed by the filter, minus those being moved away; in the thread order when the folder
//! is listed as conversations and neither a search nor the filter is active (their hits are
//! listed flat, in the sort order).

use std::borrow::Cow;
use std::collections::HashSet;

use crate::model::Mailbox;
use crate::model::conversations::Conversations;
use crate::msg::Uid;
use crate::ui::filter::FilterState;
use crate::ui::folds::Folds;
use crate::ui::requests::Requests;
use crate::ui::search::SearchState;

/// The listed UIDs, in the open folder's sort or thread order. Borrowed in the common case
/// (no move in flight), so a frame of a 100 000-message folder does not copy it.
pub(crate) fn listed<'a>(
    mb: Option<&'a Mailbox>,
    search: &SearchState,
    filter: &'a FilterState,
    folds: &'a Folds,
    requests: &Requests,
) -> Cow<'a, [Uid]> {
    let Some(mb) = mb else {
        return Cow::Borrowed(&[]);
    };
    let base = base(Some(mb), search, filter, folds);
    let shown: Cow<'a, [Uid]> = match filter.active() {
        None => Cow::Borrowed(base),
        // The filter's hits are already in list order.
        Some(f) if search.active().is_none() => Cow::Borrowed(&f.hits),
        Some(f) => Cow::Owned(intersect(base, &f.hits)),
    };
    let hidden = requests.hidden(&mb.folder);
    if hidden.is_empty() {
        shown
    } else {
        Cow::Owned(
            shown
                .iter()
                .copied()
                .filter(|u| !hidden.contains(u))
                .collect(),
        )
    }
}

/// The open folder's messages (as threads, folded or not), or only the search hits: what the
/// local filter narrows.
pub(crate) fn base<'a>(
    mb: Option<&'a Mailbox>,
    search: &SearchState,
    filter: &FilterState,
    folds: &'a Folds,
) -> &'a [Uid] {
    let Some(mb) = mb else {
        return &[];
    };
    if threaded(Some(mb), search, filter).is_some() {
        return folds.visible();
    }
    match search.active() {
        None => &mb.uids,
        Some(s) if s.done => mb.search.as_deref().unwrap_or(&[]),
        // The hits of an earlier search must not pass for this one's.
        Some(_) => &[],
    }
}

/// The open folder's threads, when the list shows them.
pub(crate) fn threaded<'a>(
    mb: Option<&'a Mailbox>,
    search: &SearchState,
    filter: &FilterState,
) -> Option<&'a Conversations> {
    let flat = search.active().is_some() || filter.active().is_some();
    mb?.threads.as_ref().filter(|_| !flat)
}

/// UIDs in both lists, which are in the same (list) order: the shorter one is hashed.
fn intersect(a: &[Uid], b: &[Uid]) -> Vec<Uid> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let set: HashSet<Uid> = short.iter().copied().collect();
    long.iter().copied().filter(|u| set.contains(u)).collect()
}
