//! `sendmail_command`: the message on the command's stdin, the envelope recipients as
//! arguments after `--` (so Bcc recipients need no header: write the command without `-t`).
//! Exit 0 is accepted, 75 (EX_TEMPFAIL) is worth retrying, anything else is a refusal.

use std::io::Write as _;
use std::process::{Command, Stdio};

use super::deliver::{Delivery, FinalDot, Message};

pub fn send(cmd: &str, msg: &Message, final_dot: FinalDot) -> Delivery {
    let mut child = match Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$@\""))
        .arg("sh")
        .arg("--")
        .args(&msg.recipients)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Delivery::Permanent(format!("sendmail_command could not be run: {e}")),
    };
    let mut written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(msg.bytes));
    final_dot();
    // Dropping stdin above closed it: the command sees the end of the message.
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => {
            return Delivery::MaybeSent(format!("sendmail_command: lost track of it: {e}"));
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let words: String = stderr.trim().chars().take(500).collect();
    match out.status.code() {
        Some(0) => match written.take() {
            Some(Err(e)) => Delivery::MaybeSent(format!(
                "sendmail_command exited 0 without reading the whole message: {e}"
            )),
            _ => Delivery::Accepted,
        },
        Some(75) => Delivery::Transient(format!("sendmail_command deferred it: {words}")),
        Some(code) => Delivery::Permanent(format!("sendmail_command failed ({code}): {words}")),
        None => Delivery::MaybeSent(format!(
            "sendmail_command was killed ({}) after reading the message",
            out.status
        )),
    }
}
