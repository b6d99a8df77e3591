//! A small tmux driver for end-to-end tests of the real `tern` binary.
//!
//! Every [`Tmux`] runs its own tmux server on a socket name nobody else uses (`tmux -L`), with
//! no config file, so tests run in parallel and never touch a user's tmux; dropping it kills
//! that server and everything in it. The session's one pane starts an interactive shell, from
//! which tern is launched, so after tern exits the test can look at what it left behind (tty
//! modes, alternate screen, cursor) with the same terminal.
//!
//! Waiting is always for something on the screen (or a file), polled every 50 ms up to a
//! deadline; the deadline only decides when a test gives up, it is not a speed requirement.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);
/// The shell prompt in the pane; short and unlike anything tern draws.
pub const PROMPT: &str = "e2e$ ";

static SERVERS: AtomicUsize = AtomicUsize::new(0);

pub struct Tmux {
    socket: String,
    /// The socket file, which tmux leaves behind when its server exits.
    socket_path: Option<PathBuf>,
    target: String,
    /// Scratch space for the shell's side of the checks (tty modes before and after).
    scratch: tempfile::TempDir,
    /// Launches of tern so far, to tell their exit markers apart.
    runs: usize,
}

/// How tern left the terminal, as seen from the shell it was started from.
#[derive(Debug)]
pub struct Exit {
    pub code: i32,
    pub screen: String,
}

impl Tmux {
    /// Starts a detached `width`×`height` session running `cmd` (a shell command line) with
    /// `vars` in its environment, plus `LANG=C.UTF-8`; `TERM` is `xterm-256color`.
    pub fn start(cmd: &str, vars: &[(&str, &str)], width: u16, height: u16) -> Tmux {
        require_tmux();
        let n = SERVERS.fetch_add(1, Ordering::SeqCst);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let socket = format!("tern-e2e-{}-{n}-{nanos}", std::process::id());
        let mut tmux = Tmux {
            socket,
            socket_path: None,
            target: "e2e".to_string(),
            scratch: tempfile::tempdir().expect("tempdir"),
            runs: 0,
        };
        let (w, h) = (width.to_string(), height.to_string());
        let dir = tmux.scratch.path().to_string_lossy().into_owned();
        // The terminal type is the server's `default-terminal`, set before the pane starts.
        let mut args: Vec<String> = [
            "start-server",
            ";",
            "set-option",
            "-g",
            "default-terminal",
            "xterm-256color",
            ";",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w,
            "-y",
            &h,
            "-c",
            &dir,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let fixed = [("LANG", "C.UTF-8"), ("LC_ALL", "C.UTF-8")];
        for (k, v) in fixed.iter().chain(vars) {
            args.push("-e".into());
            args.push(format!("{k}={v}"));
        }
        args.push(cmd.to_string());
        let out = tmux.cmd(&args);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = tmux.display("#{socket_path}");
        tmux.socket_path = Some(PathBuf::from(path));
        tmux
    }

    /// A session whose pane runs bash with the prompt [`PROMPT`], ready for input. bash reads
    /// no startup file but a one-line one that sets the prompt (it does not take `PS1` from
    /// the environment).
    pub fn shell(vars: &[(&str, &str)], width: u16, height: u16) -> Tmux {
        let rc = tempfile::NamedTempFile::new().expect("tempfile");
        std::fs::write(rc.path(), format!("PS1='{PROMPT}'\n")).expect("write bashrc");
        let cmd = format!("exec bash --noprofile --rcfile '{}'", rc.path().display());
        let tmux = Tmux::start(&cmd, vars, width, height);
        tmux.wait_for(PROMPT.trim_end(), DEADLINE);
        tmux
    }

    /// Runs a tmux command against this server; the output, whatever the status.
    fn cmd<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .env_remove("TMUX")
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("run tmux")
    }

    /// Runs a tmux command that must succeed and returns its standard output.
    pub fn tmux(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` literally (no key names are looked up).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.target, "-l", "--", text]);
    }

    /// Presses named keys (`Enter`, `C-c`, `Tab`, `j`, …), one after another.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.target];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Presses one key named as tern's keymap names keys: a character (`j`, `?`, `$`), or
    /// `Enter`, `BackTab`, `PageDown`, `Esc`, … with `C-` and `A-` modifiers.
    pub fn press(&self, key: &str) {
        if key.chars().count() == 1 {
            self.type_text(key);
            return;
        }
        let (mods, name) = match key.rfind('-') {
            Some(i) if i + 1 < key.len() => key.split_at(i + 1),
            _ => ("", key),
        };
        let name = match name {
            "BackTab" => "BTab",
            "PageDown" => "NPage",
            "PageUp" => "PPage",
            "Esc" => "Escape",
            "Backspace" => "BSpace",
            "Delete" => "DC",
            "Insert" => "IC",
            other => other,
        };
        // tmux writes Alt as M-.
        let mods = mods.replace("A-", "M-");
        self.keys(&[&format!("{mods}{name}")]);
    }

    /// Types a command line for the shell (or tern's `:` line) and presses Enter.
    pub fn line(&self, text: &str) {
        self.type_text(text);
        self.keys(&["Enter"]);
    }

    /// The visible screen as text, trailing blanks trimmed.
    pub fn capture(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &self.target])
    }

    /// The visible screen with its attributes as escape sequences (`capture-pane -e`).
    pub fn capture_escapes(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", &self.target])
    }

    /// A tmux format evaluated for the pane, e.g. `#{pane_title}`.
    pub fn display(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", &self.target, format])
            .trim_end_matches('\n')
            .to_string()
    }

    /// Waits until the screen shows `text`; returns that screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?} on screen"), timeout, |s| {
            s.contains(text)
        })
    }

    /// Waits until `ok(screen)` holds; fails with the last screen after `timeout`.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut ok: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.capture();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() >= deadline {
                panic!("timed out after {timeout:?} waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Changes the window size, as a terminal emulator would.
    pub fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        self.tmux(&["resize-window", "-t", &self.target, "-x", &w, "-y", &h]);
    }

    /// Starts `tern --config CONFIG` from the shell (whose working directory is the scratch
    /// directory), after noting the tty modes. The same command line records tern's exit
    /// status and the modes after it, for [`Tmux::exited`]; it is kept shorter than the
    /// window is wide, so it never wraps.
    pub fn launch_tern(&mut self, config: &Path) {
        self.runs += 1;
        let n = self.runs;
        self.line(&format!(
            "T='{}' C='{}'",
            env!("CARGO_BIN_EXE_tern"),
            config.display()
        ));
        // The marker is printed as `tern-exit-N=STATUS`; the command line as typed shows
        // `tern-exit-N=$?`, so a wait cannot mistake the one for the other.
        self.line(&format!(
            "stty -g >before.{n}; $T --config \"$C\"; echo tern-exit-{n}=$?; \
             stty -g >after.{n}; stty -a >modes.{n}"
        ));
    }

    /// PID of the running tern: the pane shell's child.
    pub fn tern_pid(&self) -> u32 {
        let shell: u32 = self
            .display("#{pane_pid}")
            .parse()
            .expect("pane_pid is a number");
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(pid) = child_named(shell, "tern") {
                return pid;
            }
            assert!(
                Instant::now() < deadline,
                "no tern process under the pane's shell"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Quits from the message list with the `back` key, answering "Quit tern?" with y; the
    /// terminal must be restored and tern exit 0.
    pub fn quit(&self) {
        self.act(&["back"]);
        self.wait_for("Quit tern? (y/N)", DEADLINE);
        self.press("y");
        let exit = self.exited();
        assert_eq!(exit.code, 0, "tern failed:\n{}", exit.screen);
    }

    /// Waits for the last launched tern to exit and checks that it left the terminal as it
    /// found it: tty modes unchanged (canonical mode and echo on), alternate screen left (the
    /// shell's earlier output is visible again), cursor shown.
    pub fn exited(&self) -> Exit {
        let n = self.runs;
        let marker = format!("tern-exit-{n}=");
        let modes = self.scratch.path().join(format!("modes.{n}"));
        let code_of = |screen: &str| -> Option<i32> {
            screen.lines().find_map(|l| {
                let rest = &l[l.find(&marker)? + marker.len()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
        };
        let screen = self.wait_until(&format!("{marker}STATUS"), DEADLINE, |s| {
            code_of(s).is_some()
        });
        let code = code_of(&screen).expect("exit status");
        // The last file of the line is written after the marker is printed.
        let deadline = Instant::now() + DEADLINE;
        let modes = loop {
            match std::fs::read_to_string(&modes) {
                Ok(text) if text.contains("icanon") => break text,
                _ if Instant::now() < deadline => std::thread::sleep(POLL),
                _ => panic!("`stty -a` after tern wrote nothing; the screen:\n{screen}"),
            }
        };
        let read = |name: &str| {
            std::fs::read_to_string(self.scratch.path().join(format!("{name}.{n}")))
                .unwrap_or_else(|e| panic!("{name}.{n}: {e}"))
        };
        assert_eq!(
            read("before").trim(),
            read("after").trim(),
            "tern changed the tty modes (stty -g before and after); stty -a now:\n{modes}"
        );
        let words: Vec<&str> = modes.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(
                words.contains(&flag),
                "{flag} is off after tern exited; stty -a:\n{modes}"
            );
        }
        assert_eq!(
            self.display("#{alternate_on}"),
            "0",
            "tern left the alternate screen on; the screen:\n{screen}"
        );
        assert_eq!(
            self.display("#{cursor_flag}"),
            "1",
            "tern left the cursor hidden"
        );
        // The shell's own output from before tern is back on the (primary) screen.
        assert!(
            screen.contains(&format!("tern-exit-{n}=$?")),
            "the command line that started tern is not visible again:\n{screen}"
        );
        Exit { code, screen }
    }

    pub fn scratch(&self) -> PathBuf {
        self.scratch.path().to_path_buf()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Ends the panes' processes (SIGHUP), then removes the socket file.
        let _ = self.cmd(&["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Fails (does not skip) when tmux is missing: the suite is meant to run these tests.
fn require_tmux() {
    match Command::new("tmux").arg("-V").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`tmux -V` failed ({}); the end-to-end tests need a working tmux",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!(
            "tmux is not installed ({e}); the end-to-end tests need it: run scripts/test \
             (it installs tmux) or apt-get install tmux"
        ),
    }
}

/// A child of `parent` whose command name is `name`, from /proc.
fn child_named(parent: u32, name: &str) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split at the
        // last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && comm == name {
            return Some(pid);
        }
    }
    None
}

/// A shell in a 100×30 tmux window with the fixtures' password and tern's state and cache
/// directories under `home`, so nothing leaks from one test into another.
pub fn terminal(home: &std::path::Path) -> Tmux {
    let state = home.join("state");
    let state = state.to_str().expect("UTF-8 temp path");
    Tmux::shell(
        &[
            ("TERN_TEST_PASSWORD", "wonderland"),
            ("XDG_STATE_HOME", state),
            ("XDG_CACHE_HOME", state),
        ],
        100,
        30,
    )
}

/// The first key `assets/keymap.toml` binds to `action`, named as the keymap names keys (for
/// [`Tmux::press`]), so a test presses what a user would and follows keymap changes.
pub fn default_key(action: &str) -> String {
    let table: toml::Table =
        toml::from_str(tern::config::keys::DEFAULT_KEYMAP).expect("the default keymap parses");
    let keys = table
        .get(action)
        .unwrap_or_else(|| panic!("no action {action:?} in assets/keymap.toml"));
    let first = match keys {
        toml::Value::String(k) => Some(k.as_str()),
        toml::Value::Array(ks) => ks.first().and_then(|k| k.as_str()),
        _ => None,
    };
    first
        .unwrap_or_else(|| panic!("{action:?} has no default key"))
        .to_string()
}

impl Tmux {
    /// Presses the default key of each keymap action in turn (`"tag"`, `"move"`, …).
    pub fn act(&self, actions: &[&str]) {
        for action in actions {
            self.press(&default_key(action));
        }
    }
}

/// Polls `probe` every 50 ms until it returns `Ok`, for conditions off the screen (a file, the
/// server's state); fails with `what` and the probe's last `Err` after `timeout`.
pub fn eventually<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(v) => return v,
            Err(e) if Instant::now() >= deadline => {
                panic!("timed out after {timeout:?} waiting for {what}: {e}")
            }
            Err(_) => std::thread::sleep(POLL),
        }
    }
}
