//! `cargo bench --bench ui`: the UI side at 100 000 messages (`-- 1000000`: another count).
//!
//! - Frame time of the message list drawn into ratatui's TestBackend at 200x50 while
//!   scrolling: median, 95th percentile and maximum of 200 frames, in wall time and in this
//!   thread's CPU time, with every summary loaded and mid-sync (half the rows loading).
//! - The local filter: `F` pressed (its index built), then the CPU per keystroke while a query
//!   is typed, corrected and backspaced, each key handled by the app and the screen drawn.
//! - Sorting: a full sort of the folder by each key, and placing one sync chunk (1 000 rows)
//!   into a sorted list; then each sort as the user asks for it (`:sort KEY`): the whole time
//!   until it is listed, helper thread included, the longest the UI thread spends on it in one
//!   frame, and the memory it takes while it runs.
//! - Threads: the thread view of 100 000 messages turned on (threads of five, each reply
//!   naming its thread's first message and its parent) and the memory it holds; a sync chunk
//!   of 1 000 replies and an expunge of 1 000 messages, each updating the threads.
//! - Memory: resident size added by holding 100 000 summaries in the model.
//!
//! `-- 1000000 filter` stops after the memory and the filter.
//!
//! Under `cargo test --all-targets` it runs a few frames on a small folder.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use tern::model::job::{Done, Job};
use tern::model::sort::SortOrder;
use tern::msg::{Event, Flag, Flags, Folder, Summary, Uid};
use tern::ui::action::Action;
use tern::ui::app::App;
use tern::ui::views;

#[path = "../tests/support/ui.rs"]
#[allow(dead_code)] // the bench needs only the builders
mod support;

const SIZE: (u16, u16) = (200, 50);

fn summary(uid: Uid) -> Summary {
    let flags = if uid.is_multiple_of(3) {
        Flags::NONE
    } else {
        Flags::from(Flag::Seen)
    };
    // A few thousand correspondents, as in a real inbox.
    let from = format!("Sender {n} <sender{n}@example.org>", n = uid % 3000);
    let subject = if uid.is_multiple_of(5) {
        format!("关于第 {uid} 号项目的周报和下周计划安排")
    } else {
        format!("Re: weekly status report number {uid} with a fairly long subject line")
    };
    Summary {
        date: 1_700_000_000 + i64::from(uid) * 600,
        date_offset: 3600,
        size: 2_000 + uid % 50_000,
        to: "me@example.org".into(),
        ..support::summary(uid, &from, &subject, flags)
    }
}

fn app(messages: u32, loaded: u32) -> App {
    let (mut app, _) = App::new(support::settings("INBOX", SIZE));
    let uids: Vec<Uid> = (1..=messages).rev().collect();
    let newest: Vec<Uid> = uids.iter().copied().take(loaded as usize).collect();
    app.on_event(Event::Selected {
        folder: Folder::named("INBOX"),
        uid_validity: 1,
        read_only: false,
        complete: true,
        uids,
    });
    for chunk in newest.chunks(1000) {
        app.on_event(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            chunk: chunk.iter().map(|u| summary(*u)).collect(),
        });
    }
    app
}

/// CPU time of this thread: unlike wall time it does not count the slices the scheduler gives
/// other processes, which on a busy machine add 4 ms to a frame now and then.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Median, 95th percentile and maximum.
fn stats(mut times: Vec<Duration>) -> [Duration; 3] {
    times.sort();
    [
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1],
    ]
}

/// Scrolls a page at a time, sometimes a hundred (back to the top at the end), and times each full frame:
/// layout, list rendering and the backend's diff.
fn measure(mut app: App, messages: u32, frames: usize) -> ([Duration; 3], [Duration; 3]) {
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("test backend");
    let page = KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE);
    let mut wall = Vec::with_capacity(frames);
    let mut cpu = Vec::with_capacity(frames);
    for i in 0..frames {
        if app.selected() + 1 >= messages as usize {
            app.act(Action::Top, None);
        } else if i.is_multiple_of(2) {
            app.on_key(page);
        } else {
            // Jump far down so rows come from all over the folder, not one cached region.
            for _ in 0..97 {
                app.on_key(page);
            }
        }
        let start = Instant::now();
        let cpu_start = thread_cpu();
        terminal
            .draw(|f| {
                app.prepare(f.area());
                views::draw(f, &app);
            })
            .expect("draw");
        cpu.push(thread_cpu().saturating_sub(cpu_start));
        wall.push(start.elapsed());
    }
    (stats(wall), stats(cpu))
}

/// Hands the heap's free memory back to the system, so resident size counts what is held:
/// glibc keeps what a build freed for later allocations.
fn trim() {
    // SAFETY: malloc_trim only releases free memory of the allocator; nothing is borrowed.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Resident memory of this process in KiB (VmRSS).
fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// The most resident memory of this process since [`reset_peak`], in KiB (VmHWM).
fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

/// Starts the peak ([`peak_kib`]) over from the resident size now (Linux 4.0 and later).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let (mut messages, frames) = if benching { (100_000, 200) } else { (2_000, 5) };
    // `cargo bench --bench ui -- 1000000`: another folder size (issue 17's million).
    if let Some(n) = std::env::args().skip(1).find_map(|a| a.parse().ok()) {
        messages = n;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;

    let before = rss_kib();
    let mut loaded = app(messages, messages);
    println!(
        "{messages} summaries held by the UI: +{:.1} MB resident",
        (rss_kib().saturating_sub(before)) as f64 / 1024.0
    );
    filter(&mut loaded);
    // `-- 1000000 filter`: the model's memory and the filter only.
    if std::env::args().any(|a| a == "filter") {
        return;
    }
    sort(&loaded);
    drop(loaded);
    // Before the sorts: after their helper threads (the allocator's per-thread arenas) the
    // thread view's first build measured +37 MB resident instead of +18.
    threads(messages);
    sort_jobs(messages);
    all_inboxes(messages);

    for (label, loaded) in [("all loaded", messages), ("mid-sync", messages / 2)] {
        let (wall, cpu) = measure(app(messages, loaded), messages, frames);
        println!(
            "{messages} messages, {label}, list frame at {}x{}, {frames} frames (median / p95 / max):",
            SIZE.0, SIZE.1
        );
        println!(
            "  wall {:.3} / {:.3} / {:.3} ms",
            ms(wall[0]),
            ms(wall[1]),
            ms(wall[2])
        );
        println!(
            "  cpu  {:.3} / {:.3} / {:.3} ms",
            ms(cpu[0]),
            ms(cpu[1]),
            ms(cpu[2])
        );
    }
}

/// A full sort by each key (best of three), and one chunk placed in a list sorted by date.
fn sort(app: &App) {
    let Some(mb) = app.model().mailbox.as_ref() else {
        return;
    };
    let get = |u: Uid| mb.summaries.get(&u).into();
    for words in [
        "date",
        "arrival reverse",
        "from",
        "subject",
        "size",
        "unread flagged date",
    ] {
        let order: SortOrder = words.parse().expect("sort order");
        let (mut wall, mut cpu) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            let mut uids = mb.uids.clone();
            let (start, cpu_start) = (Instant::now(), thread_cpu());
            order.sort(&mut uids, get);
            cpu = cpu.min(thread_cpu().saturating_sub(cpu_start));
            wall = wall.min(start.elapsed());
        }
        println!(
            "sort {} summaries by {words}: cpu {:.1} ms, wall {:.1} ms (best of 3)",
            mb.uids.len(),
            cpu.as_secs_f64() * 1e3,
            wall.as_secs_f64() * 1e3
        );
    }
    let order: SortOrder = "subject".parse().expect("sort order");
    let mut uids = mb.uids.clone();
    order.sort(&mut uids, get);
    let chunk: Vec<Uid> = mb.uids.iter().copied().step_by(100).take(1000).collect();
    let (start, cpu_start) = (Instant::now(), thread_cpu());
    order.place(&mut uids, &chunk, get);
    println!(
        "place a chunk of {} rows in {} sorted by subject: cpu {:.2} ms, wall {:.2} ms",
        chunk.len(),
        uids.len(),
        thread_cpu().saturating_sub(cpu_start).as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e3
    );
}

/// Each sort as `:sort KEY` runs it (best of three for each figure): the UI thread copies
/// the keys a slice per frame, a helper thread sorts, the UI thread lists the result. The
/// whole time is the wall time from the key to the list sorted (helper included, frames back
/// to back); the longest frame is the most CPU the UI thread spends on the sort in one frame
/// (the key, a slice of the copy, or taking the result); memory is the peak resident growth
/// while it runs (the copy, the helper's ranks, the result).
fn sort_jobs(messages: u32) {
    let mut app = app(messages, messages);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for words in [
        "date",
        "arrival reverse",
        "from",
        "to",
        "subject",
        "size",
        "unread flagged date",
    ] {
        let (mut whole, mut longest, mut helper, mut grown) =
            (Duration::MAX, Duration::MAX, Duration::MAX, u64::MAX);
        let mut frames = 0;
        for _ in 0..3 {
            // From another order, so each round sorts.
            command(&mut app, "sort arrival");
            settle(&mut app);
            trim();
            reset_peak();
            let before = rss_kib();
            let (start, key) = (Instant::now(), thread_cpu());
            command(&mut app, &format!("sort {words}"));
            let mut most = thread_cpu().saturating_sub(key);
            let (job, copy) = copied(&mut app);
            frames = copy.frames;
            most = most.max(copy.longest);
            let (done, cpu) = on_helper(job);
            helper = helper.min(cpu);
            let landing = thread_cpu();
            app.job_done(done);
            most = most.max(thread_cpu().saturating_sub(landing));
            grown = grown.min(peak_kib().saturating_sub(before));
            whole = whole.min(start.elapsed());
            longest = longest.min(most);
        }
        println!(
            "sort {messages} by {words} as a job: whole {:.1} ms wall, longest UI frame {:.1} ms cpu ({frames} copy frames), helper thread cpu {:.1} ms, peak +{:.1} MB resident (best of 3)",
            ms(whole),
            ms(longest),
            ms(helper),
            grown as f64 / 1024.0
        );
    }
}

/// What copying a job cost the UI thread: CPU time in all and in the longest frame.
struct Copy {
    frames: usize,
    all: Duration,
    longest: Duration,
}

/// Copies the job under way a slice per frame, as the main loop does, until it can run.
fn copied(app: &mut App) -> (Job, Copy) {
    let start = thread_cpu();
    let (mut frames, mut longest) = (0, Duration::ZERO);
    loop {
        frames += 1;
        let step = thread_cpu();
        let job = app.take_jobs().pop();
        longest = longest.max(thread_cpu().saturating_sub(step));
        if let Some(job) = job {
            let all = thread_cpu().saturating_sub(start);
            return (
                job,
                Copy {
                    frames,
                    all,
                    longest,
                },
            );
        }
    }
}

/// All inboxes over two INBOXes of `messages` each, listed newest sent first: merging them
/// again, as after any change to either (best of 5, CPU).
fn all_inboxes(messages: u32) {
    let one = app(messages, messages);
    let two = app(messages, messages);
    let (Some(a), Some(b)) = (one.model().mailbox.as_ref(), two.model().mailbox.as_ref()) else {
        return;
    };
    let none = std::collections::HashSet::new();
    let sources = [
        (tern::ui::accounts::AccountId(0), a, &none),
        (tern::ui::accounts::AccountId(1), b, &none),
    ];
    let mut cpu = Duration::MAX;
    let mut rows = 0;
    for _ in 0..5 {
        let start = thread_cpu();
        rows = tern::ui::inboxes::merge(&sources).len();
        cpu = cpu.min(thread_cpu().saturating_sub(start));
    }
    println!(
        "All inboxes: {rows} rows of two INBOXes merged again: cpu {:.1} ms (best of 5)",
        cpu.as_secs_f64() * 1e3
    );
}

/// Types `:` and `line` and Enter, without running a job it starts.
fn command(app: &mut App, line: &str) {
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    app.on_key(key(KeyCode::Char(':')));
    for c in line.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
}

/// Runs the jobs under way to the end, on this thread.
fn settle(app: &mut App) {
    while app.copying() {
        for job in app.take_jobs() {
            app.job_done(job.run());
        }
    }
}

/// Threads of five: the first message of each, then replies naming the first message and
/// the one before, as mailers write References.
fn threaded(uid: Uid) -> Summary {
    let u = uid as usize;
    let first = format!("{}@bench", u - u % 5);
    let parent = format!("{}@bench", u - 1);
    let references: Vec<&str> = match u % 5 {
        0 => Vec::new(),
        1 => vec![first.as_str()],
        _ => vec![first.as_str(), parent.as_str()],
    };
    support::in_thread(summary(uid), &format!("{u}@bench"), &references)
}

/// Opens the conversation of the message in the reader (best of three) and says how long the
/// UI thread took.
fn conversation(app: &mut App, how: &str) {
    let (mut cpu, mut longest, mut helper, mut shown) =
        (Duration::MAX, Duration::MAX, Duration::ZERO, 0);
    for _ in 0..3 {
        let start = thread_cpu();
        app.act(Action::Conversation, None);
        let mut most = thread_cpu().saturating_sub(start);
        // Without the thread view it is gathered by a job: copied a slice per frame, run on a
        // helper thread, shown when it lands.
        if app.copying() {
            let (job, copy) = copied(app);
            most = most.max(copy.longest);
            let (done, took) = on_helper(job);
            helper = took;
            let landing = thread_cpu();
            app.job_done(done);
            most = most.max(thread_cpu().saturating_sub(landing));
        }
        cpu = cpu.min(thread_cpu().saturating_sub(start));
        longest = longest.min(most);
        shown = app.conversation().map_or(0, |c| c.counts().0);
        app.act(Action::Back, None);
    }
    println!(
        "conversation of a message opened {how}: UI thread cpu {:.1} ms in all, the longest frame {:.1} ms, helper thread cpu {:.1} ms (best of 3, {shown} messages)",
        cpu.as_secs_f64() * 1e3,
        longest.as_secs_f64() * 1e3,
        helper.as_secs_f64() * 1e3,
    );
}

/// Runs `job` on a thread of its own, as the main loop does; its result and CPU time.
fn on_helper(job: Job) -> (Done, Duration) {
    std::thread::spawn(move || {
        let start = thread_cpu();
        let done = job.run();
        (done, thread_cpu().saturating_sub(start))
    })
    .join()
    .expect("helper thread")
}

/// The thread view of 100 000 messages: turning it on (every thread built, the rows listed),
/// the memory it holds, then one sync chunk of 1 000 replies joining threads all over the
/// folder, and one expunge of 1 000 messages.
fn threads(messages: u32) {
    let (mut app, _) = App::new(support::settings("INBOX", SIZE));
    let uids: Vec<Uid> = (1..=messages).rev().collect();
    app.on_event(Event::Selected {
        folder: Folder::named("INBOX"),
        uid_validity: 1,
        read_only: false,
        complete: true,
        uids: uids.clone(),
    });
    for chunk in uids.chunks(1000) {
        app.on_event(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            chunk: chunk.iter().map(|u| threaded(*u)).collect(),
        });
    }
    // The conversation of the second newest message (the last of a thread of five), found by
    // its ids alone (no thread view) and from the threads (below).
    app.act(Action::Down, None);
    app.act(Action::Open, None);
    conversation(&mut app, "by its ids");
    app.act(Action::Back, None);
    trim();
    let before = rss_kib();
    let (mut wall, mut cpu) = (Duration::MAX, Duration::MAX);
    // The UI thread's part: the key, copying what threading reads (a slice per frame: the
    // longest slice is what one frame waits for) and taking the result.
    let (mut key, mut slice, mut copy, mut apply) =
        (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX);
    let mut frames = 0;
    let (mut grown, mut held) = (0, 0);
    // Best of three, as the sorts: on, off, on, off, on.
    for round in 0..3 {
        if round > 0 {
            app.act(Action::Threads, None);
        }
        let (start, cpu_start) = (Instant::now(), thread_cpu());
        app.act(Action::Threads, None);
        key = key.min(thread_cpu().saturating_sub(cpu_start));
        assert!(app.copying(), "V starts a thread build");
        let (job, copying) = copied(&mut app);
        frames = copying.frames;
        copy = copy.min(copying.all);
        slice = slice.min(copying.longest);
        let built = job.run();
        let applying = thread_cpu();
        app.job_done(built);
        apply = apply.min(thread_cpu().saturating_sub(applying));
        cpu = cpu.min(thread_cpu().saturating_sub(cpu_start));
        wall = wall.min(start.elapsed());
        if round == 0 {
            grown = rss_kib().saturating_sub(before);
            trim();
            held = rss_kib().saturating_sub(before);
        }
    }
    let threads = app.threaded().map_or(0, |c| c.threads().len());
    let mb = |kib: u64| kib as f64 / 1024.0;
    println!(
        "thread view of {messages} messages turned on ({threads} threads): cpu {:.1} ms, wall {:.1} ms (best of 3), +{:.1} MB resident, +{:.1} MB held once the allocator returns what the build freed",
        cpu.as_secs_f64() * 1e3,
        wall.as_secs_f64() * 1e3,
        mb(grown),
        mb(held),
    );
    println!(
        "  of which on the UI thread: the key {:.1} ms, copying {:.1} ms over {} frames (the longest {:.1} ms), taking the built threads {:.1} ms (the rest on a helper thread)",
        key.as_secs_f64() * 1e3,
        copy.as_secs_f64() * 1e3,
        frames,
        slice.as_secs_f64() * 1e3,
        apply.as_secs_f64() * 1e3,
    );
    app.act(Action::Open, None);
    conversation(&mut app, "from the thread view");
    app.act(Action::Back, None);
    // Replies to every hundredth thread, arriving as one chunk of a sync.
    let new: Vec<Uid> = (messages + 1..=messages + 1000).collect();
    app.on_event(Event::Arrived {
        folder: Folder::named("INBOX"),
        uid_validity: 1,
        uids: new.clone(),
    });
    let chunk: Vec<Summary> = new
        .iter()
        .map(|&u| {
            let root = format!("{}@bench", (u - messages) * 95 / 5 * 5);
            support::in_thread(summary(u), &format!("{u}@bench"), &[root.as_str()])
        })
        .collect();
    let (start, cpu_start) = (Instant::now(), thread_cpu());
    app.on_event(Event::Summaries {
        folder: Folder::named("INBOX"),
        uid_validity: 1,
        chunk,
    });
    println!(
        "a chunk of 1 000 replies joins their threads: cpu {:.1} ms, wall {:.1} ms",
        thread_cpu().saturating_sub(cpu_start).as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e3
    );
    let gone: Vec<Uid> = (1..=messages).step_by(100).collect();
    let expunged = gone.len();
    let (start, cpu_start) = (Instant::now(), thread_cpu());
    app.on_event(Event::Expunged {
        req: None,
        folder: Folder::named("INBOX"),
        uids: gone,
    });
    println!(
        "{expunged} messages expunged from their threads: cpu {:.1} ms, wall {:.1} ms",
        thread_cpu().saturating_sub(cpu_start).as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e3
    );
}

/// The local filter as the user meets it: `F` pressed (the index is built), then "weekly
/// 4242" typed a key at a time with a typo corrected on the way ("weekly 43", Backspace,
/// "242"), backspaced away, and "report" typed anew; each key handled by the app and the screen
/// drawn after it, as the main loop does. The first key of a query no kept result covers scans
/// every row; most of the rest search within an earlier result.
fn filter(app: &mut App) {
    if app.model().mailbox.is_none() {
        return;
    }
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("test backend");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // CPU time of this thread: on a loaded machine wall time mostly counts other processes.
    let mut key = |app: &mut App, code: KeyCode| {
        let start = thread_cpu();
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        terminal
            .draw(|f| {
                app.prepare(f.area());
                views::draw(f, app);
            })
            .expect("draw");
        thread_cpu().saturating_sub(start)
    };
    let built = key(app, KeyCode::Char('F'));
    let keys = |text: &str| -> Vec<KeyCode> {
        text.chars()
            .map(|c| match c {
                '⌫' => KeyCode::Backspace,
                c => KeyCode::Char(c),
            })
            .collect()
    };
    let typing: Vec<Duration> = keys("weekly 43⌫242")
        .into_iter()
        .map(|k| key(app, k))
        .collect();
    let first = typing[0];
    let hits = app.rows().len();
    let back: Vec<Duration> = keys(&"⌫".repeat("weekly 4242".len()))
        .into_iter()
        .map(|k| key(app, k))
        .collect();
    let anew: Vec<Duration> = keys("report").into_iter().map(|k| key(app, k)).collect();
    key(app, KeyCode::Esc);
    let line = |what: &str, times: Vec<Duration>| {
        let [median, p95, max] = stats(times);
        println!(
            "  {what}: cpu {:.2} / {:.2} / {:.2} ms (median / p95 / max)",
            ms(median),
            ms(p95),
            ms(max)
        );
    };
    println!(
        "local filter over {} summaries, cpu, each key handled and the screen drawn: index built (F) in {:.1} ms; \"weekly 4242\" {hits} hits; first key (\"w\", a scan of every row) {:.2} ms, \"r\" typed anew {:.2} ms",
        app.model().mailbox.as_ref().map_or(0, |m| m.uids.len()),
        ms(built),
        ms(first),
        ms(anew[0]),
    );
    line("per keystroke typing \"weekly 43⌫242\"", typing);
    line("per backspace back to empty", back);
    println!(
        "  typing \"report\", key by key: {}",
        anew.iter()
            .map(|d| format!("{:.2}", ms(*d)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    line("per keystroke typing \"report\" after it", anew);
}
