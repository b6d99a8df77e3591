//! Opening a part off the UI thread. Deciding on a viewer runs mailcap `test=` commands, and a
//! `copiousoutput` viewer (pdftotext, w3m -dump) may take seconds or never end; both run on a
//! thread of their own, each with a deadline, and the output the reader shows is capped.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::mime::Section;
use crate::msg::Uid;
use crate::ui::opener::{Opener, Run, Viewers};

/// A `test=` command is a quick check (is there a display, is a program installed).
const TEST_DEADLINE: Duration = Duration::from_secs(2);
/// Long enough for pdftotext on a big attachment.
const OUTPUT_DEADLINE: Duration = Duration::from_secs(30);
/// The reader holds the text and lays it out; a converter gone wild must not fill memory.
const OUTPUT_LIMIT: usize = 8 << 20;

/// A part written to `path`, to be opened with whatever the user's viewers say.
#[derive(Debug, Clone)]
pub struct OpenJob {
    pub uid: Uid,
    pub section: Section,
    pub path: PathBuf,
    pub mime_type: String,
    pub viewers: Viewers,
}

/// What the job found, for the UI thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A `copiousoutput` viewer ran: its text for the reader (with a note when it was cut).
    Output {
        uid: Uid,
        section: Section,
        command: String,
        text: String,
    },
    /// Any other viewer: the UI thread starts it (or says why there is none).
    Chosen {
        section: Section,
        path: PathBuf,
        mime_type: String,
        opener: Opener,
    },
    Failed {
        section: Section,
        why: String,
    },
}

impl OpenJob {
    /// Runs the job on a new thread; the answer arrives on `done`.
    pub fn spawn(self, done: Sender<Opened>) {
        let section = self.section.clone();
        let spawned = std::thread::Builder::new().name("viewer".into()).spawn({
            let done = done.clone();
            move || {
                let _ = done.send(self.run());
            }
        });
        if let Err(e) = spawned {
            let _ = done.send(Opened::Failed {
                section,
                why: format!("cannot start a thread: {e}"),
            });
        }
    }

    /// Chooses the viewer (running `test=` commands) and runs it when it only prints text.
    pub fn run(self) -> Opened {
        let opener = self
            .viewers
            .choose(&self.mime_type, &self.path, test_passes);
        let Opener::Output(run) = opener else {
            return Opened::Chosen {
                section: self.section,
                path: self.path,
                mime_type: self.mime_type,
                opener,
            };
        };
        match capture(&run, OUTPUT_LIMIT, OUTPUT_DEADLINE) {
            Ok(text) => Opened::Output {
                uid: self.uid,
                section: self.section,
                command: run.command,
                text,
            },
            Err(e) => Opened::Failed {
                section: self.section,
                why: format!("cannot run {}: {e}", run.command),
            },
        }
    }
}

/// Runs a mailcap `test=` command; it passes when it exits 0 within [`TEST_DEADLINE`].
pub fn test_passes(command: &str) -> bool {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let Ok(mut child) = spawn_in_group(&mut cmd) else {
        return false;
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < TEST_DEADLINE => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => {
                stop(&mut child);
                return false;
            }
        }
    }
}

/// The standard output of `run`, at most `limit` bytes, decoded lossily; a note at the end
/// says when it was cut or the viewer was stopped at `deadline`.
fn capture(run: &Run, limit: usize, deadline: Duration) -> std::io::Result<String> {
    let mut cmd = run.command()?;
    if run.stdin.is_none() {
        cmd.stdin(Stdio::null());
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = spawn_in_group(&mut cmd)?;
    let mut out = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = crossbeam_channel::bounded(1);
    // The read blocks until the viewer closes its output; the deadline is kept here.
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let read = (&mut out).take(limit as u64 + 1).read_to_end(&mut buf);
        let _ = tx.send(read.map(|_| buf));
    });
    let (mut bytes, note) = match rx.recv_timeout(deadline) {
        Ok(read) => {
            let buf = read?;
            let cut = buf.len() > limit;
            (
                buf,
                cut.then(|| format!("[output cut at {} MiB]", limit >> 20)),
            )
        }
        Err(_) => (
            Vec::new(),
            Some(format!("[stopped after {} s]", deadline.as_secs())),
        ),
    };
    stop(&mut child);
    bytes.truncate(limit);
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if let Some(note) = note {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&note);
    }
    Ok(text)
}

/// The shell and everything it starts share a process group, so [`stop`] ends them all.
fn spawn_in_group(cmd: &mut Command) -> std::io::Result<Child> {
    cmd.process_group(0).spawn()
}

/// Ends the viewer's whole process group if it still runs, and reaps the shell.
fn stop(child: &mut Child) {
    if matches!(child.try_wait(), Ok(None))
        && let Ok(group) = i32::try_from(child.id())
    {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(command: &str) -> Run {
        Run {
            command: command.into(),
            stdin: None,
        }
    }

    #[test]
    fn tests_run_in_the_shell_with_a_deadline() {
        assert!(test_passes("true"));
        assert!(!test_passes("exit 3"));
        let start = Instant::now();
        assert!(!test_passes("sleep 30"), "a hung test fails");
        assert!(start.elapsed() < Duration::from_secs(20), "it was stopped");
    }

    #[test]
    fn output_is_captured_and_capped() {
        let text = capture(&run("printf 'a\\nb'"), 100, OUTPUT_DEADLINE).unwrap();
        assert_eq!(text, "a\nb");
        let text = capture(&run("yes x"), 64, OUTPUT_DEADLINE).unwrap();
        assert!(text.starts_with("x\nx\n"), "{text}");
        assert!(text.ends_with("[output cut at 0 MiB]"), "{text}");
        assert_eq!(text.matches('x').count(), 32);
    }

    #[test]
    fn a_viewer_that_hangs_is_stopped_with_its_children() {
        // The shell's child keeps the pipe open: only killing the group ends the read.
        let text = capture(
            &run("echo partial; sleep 30; echo never"),
            100,
            Duration::from_millis(300),
        )
        .unwrap();
        assert_eq!(text, "[stopped after 0 s]");
    }
}
