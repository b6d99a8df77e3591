//! Thin wrappers over the OS: users, /proc, signals and free ports.
//! Everything that needs `unsafe` or parses /proc lives here.

use std::collections::{HashMap, HashSet};
use std::ffi::{CStr, CString};
use std::net::TcpListener;
use std::sync::Mutex;

use super::DevServerError;

/// A system account the mail files must belong to.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Looks an account up by name (root mode: `dovecot`, `dovenull`).
pub(crate) fn account_by_name(name: &str) -> Result<Account, DevServerError> {
    let cname =
        CString::new(name).map_err(|_| DevServerError::NoSuchSystemUser(name.to_string()))?;
    // SAFETY: getpwnam returns NULL or a pointer to static storage that stays
    // valid until the next getpw* call; we copy out of it immediately. Tests
    // run in threads, so there is a tiny race with other getpw* callers; the
    // fields we read are plain integers.
    let pw = unsafe { libc::getpwnam(cname.as_ptr()) };
    if pw.is_null() {
        return Err(DevServerError::NoSuchSystemUser(name.to_string()));
    }
    // SAFETY: pw is non-null and points to a valid passwd record.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(Account {
        name: name.to_string(),
        uid,
        gid,
    })
}

/// The account we run as (non-root mode: Dovecot runs everything as us).
pub(crate) fn current_account() -> Result<Account, DevServerError> {
    // SAFETY: as in account_by_name; the name is copied before returning.
    unsafe {
        let uid = libc::geteuid();
        let gid = libc::getegid();
        let pw = libc::getpwuid(uid);
        if pw.is_null() {
            return Err(DevServerError::NoSuchSystemUser(format!("uid {uid}")));
        }
        let name = CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned();
        Ok(Account { name, uid, gid })
    }
}

/// Name of our effective group: unprivileged Dovecot must also use it as
/// `default_internal_group`, or it fails to chown its sockets to `dovecot`.
pub(crate) fn current_group_name() -> Result<String, DevServerError> {
    // SAFETY: getgrgid returns NULL or static storage; copied at once.
    unsafe {
        let gid = libc::getegid();
        let gr = libc::getgrgid(gid);
        if gr.is_null() {
            return Err(DevServerError::NoSuchSystemUser(format!("gid {gid}")));
        }
        Ok(CStr::from_ptr((*gr).gr_name).to_string_lossy().into_owned())
    }
}

pub(crate) fn send_signal(pid: i32, sig: i32) {
    if pid > 0 {
        // SAFETY: kill has no memory-safety preconditions; callers only pass
        // PIDs this instance started (checked by start time where it matters).
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Signals `p` only if that PID still is the process we recorded (same
/// start time), so a PID reused by someone else is never hit.
pub(crate) fn send_signal_to(p: &Proc, sig: i32) {
    if is_running(p) {
        send_signal(p.pid, sig);
    }
}

/// One row of /proc/PID/stat: enough to walk the process tree and to tell a
/// reused PID from the process we meant (start time differs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Proc {
    pub pid: i32,
    pub ppid: i32,
    pub start_time: u64,
    pub zombie: bool,
}

pub(crate) fn read_proc(pid: i32) -> Option<(Proc, String)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // comm is in parentheses and may itself contain spaces or ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    // rest[0] = state (field 3), rest[1] = ppid (4), rest[19] = starttime (22).
    let proc = Proc {
        pid,
        ppid: rest.get(1)?.parse().ok()?,
        start_time: rest.get(19)?.parse().ok()?,
        zombie: matches!(rest.first(), Some(&"Z") | Some(&"X")),
    };
    Some((proc, comm))
}

/// True while `p` (same PID *and* start time) exists and is not a zombie.
/// PID 1 in this sandbox does not reap, so a zombie counts as gone.
pub(crate) fn is_running(p: &Proc) -> bool {
    match read_proc(p.pid) {
        Some((now, _)) => now.start_time == p.start_time && !now.zombie,
        None => false,
    }
}

/// All live descendants of `root` (not including it), with their `comm`.
pub(crate) fn descendants(root: i32) -> Vec<(Proc, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut by_parent: HashMap<i32, Vec<(Proc, String)>> = HashMap::new();
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        if let Some((p, comm)) = read_proc(pid)
            && !p.zombie
        {
            by_parent.entry(p.ppid).or_default().push((p, comm));
        }
    }
    let mut out = Vec::new();
    let mut queue = vec![root];
    while let Some(parent) = queue.pop() {
        for (p, comm) in by_parent.remove(&parent).unwrap_or_default() {
            queue.push(p.pid);
            out.push((p, comm));
        }
    }
    out
}

/// Ports handed out by this process and not yet released: two instances
/// starting at once in one test binary must not pick the same port, which a
/// bind-to-0-and-close probe alone cannot guarantee.
static RESERVED: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// Picks `n` distinct free loopback ports. The listeners are held until all
/// are chosen so the kernel cannot hand the same port out twice; a race with
/// other processes remains, which `Dovecot::start` handles by retrying.
pub(crate) fn free_ports(n: usize) -> Result<Vec<u16>, DevServerError> {
    let mut guard = RESERVED.lock().unwrap_or_else(|e| e.into_inner());
    let reserved = guard.get_or_insert_with(HashSet::new);
    let mut held = Vec::new();
    let mut ports = Vec::new();
    while ports.len() < n {
        let l = TcpListener::bind(("127.0.0.1", 0)).map_err(DevServerError::io(
            "binding 127.0.0.1:0 to find a free port",
        ))?;
        let port = l
            .local_addr()
            .map_err(DevServerError::io("reading a probe listener's port"))?
            .port();
        if reserved.insert(port) {
            ports.push(port);
        }
        held.push(l);
    }
    Ok(ports)
}

pub(crate) fn release_ports(ports: &[u16]) {
    let mut guard = RESERVED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(set) = guard.as_mut() {
        for p in ports {
            set.remove(p);
        }
    }
}
