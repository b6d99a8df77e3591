//! The benchmarks' mail: a seeded, deterministic corpus that looks like a real mailbox, for
//! [`super::dovecot::Seeding::seed_maildir_bulk`] (benches/sync.rs, benches/compare.rs).
//!
//! [`Shape::Realistic`] (issue 17, item 7): sizes from 1 KB to 200 KB, most small (a
//! log-normal spread per kind of message, clipped); half plain text, a third
//! multipart/alternative with HTML, a tenth with base64 attachments (PDF, PNG, JPEG), a
//! twentieth forwarding a whole message (message/rfc822, itself sometimes with an
//! attachment); subjects and names in encoded words of several charsets (UTF-8 in B and Q,
//! GB2312 and GBK, ISO-8859-1 in Q, Shift_JIS in B) or plain ASCII, bodies in the same
//! charset (8bit, quoted-printable or base64); two messages in five reply to an earlier one
//! (In-Reply-To and a References chain, `Re:` subjects); a few thousand correspondents;
//! dates a few minutes apart in several time zones, increasing with the index (so UID order
//! is date order once seeded).
//!
//! [`Shape::Small`] (item 6, a million messages): the same headers and threads with a one-line
//! body, about 1 KB each, so a million are written in minutes.
//!
//! Every subject ends in [`token`]`(i)`, `[#i]`, which no other subject contains: benches find
//! a message on screen by it, whatever the client does to the rest of the subject.
//! `message(i)` depends only on the seed and `i`, not on what was generated before.

#![allow(dead_code)] // included by benches and tests, each using a different subset

use base64::Engine as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What the messages look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Real mail's mix of sizes, structures and charsets.
    Realistic,
    /// Headers like real mail, a one-line body: for a million messages.
    Small,
}

/// A corpus: message `i` is a function of `seed`, `shape` and `i`.
#[derive(Clone, Copy, Debug)]
pub struct Corpus {
    pub seed: u64,
    pub shape: Shape,
}

/// The largest message (headers included) and the smallest of the realistic shape.
pub const MAX_SIZE: usize = 200 * 1024;
pub const MIN_SIZE: usize = 1024;
/// The seed benches use unless told otherwise.
pub const SEED: u64 = 17;

/// The unique marker at the end of message `i`'s subject.
pub fn token(i: usize) -> String {
    format!("[#{i}]")
}

/// Seconds since the epoch of message `i`'s Date: seven minutes apart on average, jittered
/// by less than half of that so the order holds.
pub fn date(i: usize) -> i64 {
    const START: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
    START + i as i64 * 420 + (mix(i as u64) % 200) as i64
}

/// How message `i` is built: drawn first, from its own stream, so `parent` can be asked of
/// any message without building it.
struct Plan {
    charset: Charset,
    /// `Some(k)`: a reply to message `i - k`.
    reply_to: Option<usize>,
    sender: usize,
    topic: usize,
    kind: Kind,
    zone_minutes: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Plain,
    Alternative,
    Attachment,
    Forward,
}

/// The charset of a message's encoded words and text, and how its words are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    Ascii,
    Utf8B,
    Utf8Q,
    Gb2312,
    Gbk,
    Latin1,
    ShiftJis,
}

impl Charset {
    /// The MIME name and the encoding_rs encoder.
    fn mime(self) -> (&'static str, &'static encoding_rs::Encoding) {
        match self {
            Charset::Ascii => ("us-ascii", encoding_rs::UTF_8),
            Charset::Utf8B | Charset::Utf8Q => ("UTF-8", encoding_rs::UTF_8),
            Charset::Gb2312 => ("GB2312", encoding_rs::GBK),
            Charset::Gbk => ("GBK", encoding_rs::GBK),
            // encoding_rs knows Latin-1 as windows-1252, the same bytes for the letters used.
            Charset::Latin1 => ("ISO-8859-1", encoding_rs::WINDOWS_1252),
            Charset::ShiftJis => ("Shift_JIS", encoding_rs::SHIFT_JIS),
        }
    }

    /// The language the text is in.
    fn words(self) -> &'static [&'static str] {
        match self {
            Charset::Ascii | Charset::Utf8Q => EN_WORDS,
            Charset::Utf8B | Charset::Gb2312 | Charset::Gbk => ZH_WORDS,
            Charset::Latin1 => FR_WORDS,
            Charset::ShiftJis => JA_WORDS,
        }
    }

    fn topics(self) -> &'static [&'static str] {
        match self {
            Charset::Ascii | Charset::Utf8Q => EN_TOPICS,
            Charset::Utf8B | Charset::Gb2312 | Charset::Gbk => ZH_TOPICS,
            Charset::Latin1 => FR_TOPICS,
            Charset::ShiftJis => JA_TOPICS,
        }
    }

    /// Words joined the way the language writes them.
    fn join(self) -> &'static str {
        match self {
            Charset::Utf8B | Charset::Gb2312 | Charset::Gbk | Charset::ShiftJis => "",
            _ => " ",
        }
    }
}

impl Corpus {
    pub fn new(shape: Shape) -> Corpus {
        Corpus { seed: SEED, shape }
    }

    /// Messages `0..count` in order.
    pub fn messages(self, count: usize) -> impl Iterator<Item = Vec<u8>> {
        (0..count).map(move |i| self.message(i))
    }

    fn rng(&self, i: usize, stream: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ mix(i as u64));
        rng.set_stream(stream);
        rng
    }

    fn plan(&self, i: usize) -> Plan {
        let mut r = self.rng(i, 0);
        let charset = match r.gen_range(0..100) {
            0..=49 => Charset::Ascii,
            50..=61 => Charset::Utf8Q,
            62..=71 => Charset::Utf8B,
            72..=78 => Charset::Gb2312,
            79..=83 => Charset::Gbk,
            84..=93 => Charset::Latin1,
            _ => Charset::ShiftJis,
        };
        // Two in five reply to something recent; most replies follow soon after.
        let reply_to = (i > 0 && r.gen_bool(0.4))
            .then(|| 1 + (r.gen_range(0.0f64..1.0).powi(3) * 200.0) as usize)
            .map(|k| k.min(i));
        let kind = match (self.shape, r.gen_range(0..100)) {
            (Shape::Small, _) => Kind::Plain,
            (_, 0..=49) => Kind::Plain,
            (_, 50..=84) => Kind::Alternative,
            (_, 85..=94) => Kind::Attachment,
            _ => Kind::Forward,
        };
        // A few thousand correspondents, some much more frequent than others.
        let sender = (r.gen_range(0.0f64..1.0).powi(2) * 3000.0) as usize;
        Plan {
            charset,
            reply_to,
            sender,
            topic: r.r#gen(),
            kind,
            zone_minutes: ZONES[r.gen_range(0..ZONES.len())],
        }
    }

    /// The first message of `i`'s thread and the chain down to `i`'s parent, oldest first,
    /// as References names them (mailers keep a bounded number: the first and the last 19).
    fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut at = i;
        while let Some(k) = self.plan(at).reply_to {
            at -= k;
            chain.push(at);
            if at == 0 {
                break;
            }
        }
        chain.reverse();
        if chain.len() > 20 {
            chain.drain(1..chain.len() - 19);
        }
        chain
    }

    /// Message `i`'s subject without encoding: the thread's first message's topic, `Re:` on
    /// replies, then [`token`].
    pub fn subject(&self, i: usize) -> String {
        let (root, reply) = match self.ancestors(i).first() {
            Some(&r) => (r, true),
            None => (i, false),
        };
        let p = self.plan(root);
        let topics = p.charset.topics();
        let topic = topics[p.topic % topics.len()];
        let re = if reply { reply_prefix(p.charset) } else { "" };
        format!("{re}{topic} {}", token(i))
    }

    /// Message `i`, CRLF line ends, as it would sit in a Maildir file.
    pub fn message(&self, i: usize) -> Vec<u8> {
        let plan = self.plan(i);
        let mut r = self.rng(i, 1);
        let cs = self.charset(i);
        let mut out = Vec::with_capacity(4096);
        let (from_name, from_addr) = person(plan.sender, cs);
        let date = chrono::DateTime::from_timestamp(date(i), 0)
            .unwrap_or_default()
            .with_timezone(
                &chrono::FixedOffset::east_opt(plan.zone_minutes * 60)
                    .unwrap_or(chrono::FixedOffset::east_opt(0).expect("UTC")),
            );
        let mut h = |name: &str, value: &str| {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        };
        h(
            "Received",
            &format!(
                "from mx{}.example.net (mx{}.example.net [192.0.2.{}])\r\n\tby imap.example.org with ESMTPS id {:016x}\r\n\tfor <alice@example.org>; {}",
                plan.sender % 7,
                plan.sender % 7,
                1 + plan.sender % 250,
                r.r#gen::<u64>(),
                date.to_rfc2822()
            ),
        );
        h(
            "From",
            &format!("{} <{from_addr}>", encode_words(&from_name, cs)),
        );
        let mut to = String::from("Alice Martin <alice@example.org>");
        for _ in 0..[0, 0, 0, 1, 2, 5][r.gen_range(0..6)] {
            let (n, a) = person(r.gen_range(0..3000), cs);
            to.push_str(&format!(",\r\n {} <{a}>", encode_words(&n, cs)));
        }
        h("To", &to);
        h("Subject", &encode_words(&self.subject(i), cs));
        h("Date", &date.to_rfc2822());
        h("Message-ID", &message_id(i));
        let ancestors = self.ancestors(i);
        if let Some(&parent) = ancestors.last() {
            h("In-Reply-To", &message_id(parent));
            let refs: Vec<String> = ancestors.iter().map(|a| message_id(*a)).collect();
            h("References", &refs.join("\r\n "));
        }
        h("MIME-Version", "1.0");
        let header_len = out.len();
        let mut text_target = match self.shape {
            Shape::Small => 0,
            Shape::Realistic => log_normal(&mut r, 1400.0, 0.9).clamp(200.0, 60_000.0) as usize,
        };
        loop {
            let text = text(&mut r, cs, text_target);
            let body = match plan.kind {
                Kind::Plain => text_part(&text, cs),
                Kind::Alternative => alternative(&mut r, &text, cs),
                Kind::Attachment => {
                    let room = MAX_SIZE.saturating_sub(header_len + text.len() * 2 + 1024);
                    let raw = (log_normal(&mut r, 30_000.0, 1.0) as usize).min(room * 3 / 4);
                    let file = attachment(&mut r, i, raw);
                    mixed(&mut r, text_part(&text, cs), &[file])
                }
                Kind::Forward => {
                    let inner = self.forwarded(&mut r, i, header_len + text.len());
                    mixed(&mut r, text_part(&text, cs), &[inner])
                }
            };
            let size = header_len + body.len();
            if self.shape == Shape::Small || (MIN_SIZE..=MAX_SIZE).contains(&size) {
                out.extend_from_slice(&body);
                return out;
            }
            // Real mail under 1 KB is rare: a longer text; over the bound, a shorter one (the
            // attachment is drawn again, within the room left).
            text_target = if size < MIN_SIZE {
                text_target + MIN_SIZE - size
            } else {
                text_target * 3 / 4
            };
        }
    }

    /// The charset of `i`'s thread: a reply is in the language of the message it answers.
    fn charset(&self, i: usize) -> Charset {
        let root = self.ancestors(i).first().copied().unwrap_or(i);
        self.plan(root).charset
    }

    /// A forwarded message (message/rfc822 part): another message's header and text, with an
    /// attachment one time in three; the whole stays under [`MAX_SIZE`].
    fn forwarded(&self, r: &mut ChaCha8Rng, i: usize, used: usize) -> Vec<u8> {
        let other = r.gen_range(0..i.max(1) + 1000);
        let p = self.plan(other);
        let (name, addr) = person(p.sender, p.charset);
        let mut inner = format!(
            "From: {} <{addr}>\r\nTo: bob@example.com\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <fwd{other}.{i}@example.net>\r\nMIME-Version: 1.0\r\n",
            encode_words(&name, p.charset),
            encode_words(p.charset.topics()[p.topic % p.charset.topics().len()], p.charset),
            chrono::DateTime::from_timestamp(date(i) - 86_400, 0)
                .unwrap_or_default()
                .to_rfc2822()
        )
        .into_bytes();
        let len = log_normal(r, 1500.0, 0.8).clamp(200.0, 20_000.0) as usize;
        let t = text(r, p.charset, len);
        if r.gen_range(0..3) == 0 {
            let room = MAX_SIZE.saturating_sub(used + t.len() * 2 + 2048);
            let raw = (log_normal(r, 20_000.0, 1.0) as usize).min(room * 3 / 4);
            let file = attachment(r, other, raw);
            inner.extend(mixed(r, text_part(&t, p.charset), &[file]));
        } else {
            inner.extend(text_part(&t, p.charset));
        }
        let mut part =
            b"Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n".to_vec();
        part.extend(inner);
        part
    }
}

/// A 64-bit mix (splitmix64's finaliser): a seed per message from its index.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A log-normal draw with the given median (Box–Muller for the normal).
fn log_normal(r: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    let u1: f64 = r.gen_range(f64::EPSILON..1.0);
    let u2: f64 = r.gen_range(0.0..1.0);
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    median * (sigma * z).exp()
}

fn message_id(i: usize) -> String {
    format!("<{:08x}.{i}@mail.example.org>", mix(i as u64) as u32)
}

fn reply_prefix(cs: Charset) -> &'static str {
    match cs {
        Charset::Gb2312 | Charset::Gbk => "回复: ",
        Charset::Latin1 => "RE: ",
        Charset::ShiftJis => "Re: ",
        _ => "Re: ",
    }
}

/// A correspondent: a name in the charset's language (ASCII names for half the charsets'
/// senders, as real mail mixes them) and an address.
fn person(n: usize, cs: Charset) -> (String, String) {
    let names: &[&str] = match (cs, n % 2) {
        (Charset::Utf8B | Charset::Gb2312 | Charset::Gbk, 0) => ZH_NAMES,
        (Charset::ShiftJis, 0) => JA_NAMES,
        (Charset::Latin1 | Charset::Utf8Q, 0) => FR_NAMES,
        _ => EN_NAMES,
    };
    let first = names[n % names.len()];
    let last = names[(n / names.len() + 3) % names.len()];
    let name = match cs.join() {
        "" if !first.is_ascii() => format!("{last}{first}"),
        _ => format!(
            "{} {}",
            first.split(' ').next().unwrap_or(first),
            last.split(' ').next_back().unwrap_or(last)
        ),
    };
    let domain = DOMAINS[n % DOMAINS.len()];
    (name, format!("user{n}@{domain}"))
}

/// `text` as header text: unchanged when ASCII, else RFC 2047 encoded words in the
/// message's charset (B or Q), each under 76 characters, folded.
fn encode_words(text: &str, cs: Charset) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let (name, enc) = cs.mime();
    let q = matches!(cs, Charset::Utf8Q | Charset::Latin1);
    let mut words = Vec::new();
    let mut chunk = String::new();
    // Whole characters per word; about 30 encoded bytes each.
    for c in text.chars() {
        chunk.push(c);
        if enc.encode(&chunk).0.len() >= 30 {
            words.push(encoded_word(&chunk, name, enc, q));
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        words.push(encoded_word(&chunk, name, enc, q));
    }
    words.join("\r\n ")
}

fn encoded_word(text: &str, name: &str, enc: &'static encoding_rs::Encoding, q: bool) -> String {
    let bytes = enc.encode(text).0;
    if !q {
        return format!("=?{name}?B?{}?=", b64(&bytes));
    }
    let mut s = format!("=?{name}?Q?");
    for &b in bytes.iter() {
        match b {
            b' ' => s.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' => s.push(b as char),
            _ => s.push_str(&format!("={b:02X}")),
        }
    }
    s.push_str("?=");
    s
}

/// About `target` bytes of text in the charset's language, in paragraphs; sometimes a
/// quoted earlier message, as replies carry.
fn text(r: &mut ChaCha8Rng, cs: Charset, target: usize) -> String {
    let words = cs.words();
    let mut s = String::with_capacity(target + 200);
    let quote = r.gen_bool(0.3);
    while s.len() < target.max(1) {
        let n = r.gen_range(6..18);
        let mut line = String::new();
        for w in 0..n {
            if w > 0 {
                line.push_str(cs.join());
            }
            line.push_str(words[r.gen_range(0..words.len())]);
        }
        line.push_str(if cs.join().is_empty() { "。" } else { "." });
        if quote && s.len() > target / 2 {
            s.push_str("> ");
        }
        s.push_str(&line);
        s.push_str(if r.gen_bool(0.25) { "\r\n\r\n" } else { "\r\n" });
    }
    s
}

/// A text/plain part, its header first (at the top of a message, the header's last lines).
fn text_part(text: &str, cs: Charset) -> Vec<u8> {
    let (name, enc) = cs.mime();
    let bytes = enc.encode(text).0;
    let (cte, body) = match cs {
        Charset::Ascii => ("7bit", bytes.into_owned()),
        Charset::Utf8Q | Charset::Latin1 => ("quoted-printable", qp(&bytes)),
        Charset::Utf8B => ("8bit", bytes.into_owned()),
        _ => ("base64", b64_lines(&bytes)),
    };
    let mut part = format!(
        "Content-Type: text/plain; charset=\"{name}\"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    )
    .into_bytes();
    part.extend(body);
    part
}

/// multipart/alternative: the text and an HTML rendering of it (quoted-printable).
fn alternative(r: &mut ChaCha8Rng, text: &str, cs: Charset) -> Vec<u8> {
    let (name, enc) = cs.mime();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html\"><style>p{margin:0 0 1em;font-family:Arial,sans-serif}</style></head><body>\r\n",
    );
    for para in text.split("\r\n\r\n") {
        html.push_str("<div class=\"para\"><p style=\"color:#222;line-height:1.4\">");
        html.push_str(
            &para
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace("\r\n", "<br>\r\n"),
        );
        html.push_str("</p></div>\r\n");
    }
    html.push_str("<table role=\"presentation\" width=\"100%\"><tr><td style=\"font-size:11px;color:#888\">Sent from my phone</td></tr></table></body></html>\r\n");
    let html_part = {
        let mut p = format!(
            "Content-Type: text/html; charset=\"{name}\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        .into_bytes();
        p.extend(qp(&enc.encode(&html).0));
        p
    };
    multipart(r, "alternative", &[text_part(text, cs), html_part])
}

fn mixed(r: &mut ChaCha8Rng, first: Vec<u8>, rest: &[Vec<u8>]) -> Vec<u8> {
    let mut parts = vec![first];
    parts.extend_from_slice(rest);
    multipart(r, "mixed", &parts)
}

/// The Content-Type line of a multipart and its parts, each part starting with its header.
fn multipart(r: &mut ChaCha8Rng, subtype: &str, parts: &[Vec<u8>]) -> Vec<u8> {
    let boundary = format!("----=_Part_{:x}", r.r#gen::<u64>());
    let mut out = format!(
        "Content-Type: multipart/{subtype};\r\n boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"
    )
    .into_bytes();
    for p in parts {
        out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
        out.extend_from_slice(p);
    }
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

/// A base64 attachment of `raw` bytes: a PDF, PNG or JPEG (the file's magic, then bytes as
/// random as compressed data).
fn attachment(r: &mut ChaCha8Rng, i: usize, raw: usize) -> Vec<u8> {
    let (ty, name, magic): (&str, String, &[u8]) = match r.gen_range(0..3) {
        0 => (
            "application/pdf",
            format!("report-{i}.pdf"),
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        ),
        1 => (
            "image/png",
            format!("screenshot-{i}.png"),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        ),
        _ => (
            "image/jpeg",
            format!("IMG_{i:05}.jpg"),
            b"\xff\xd8\xff\xe0\0\x10JFIF\0",
        ),
    };
    let mut bytes = magic.to_vec();
    bytes.resize(raw.max(magic.len() + 64), 0);
    r.fill(&mut bytes[magic.len()..]);
    let mut part = format!(
        "Content-Type: {ty}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    part.extend(b64_lines(&bytes));
    part
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Base64 in 76-character lines, CRLF after each.
fn b64_lines(b: &[u8]) -> Vec<u8> {
    let s = b64(b);
    let mut out = Vec::with_capacity(s.len() + s.len() / 76 * 2 + 2);
    for line in s.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Quoted-printable (RFC 2045): soft breaks before 76 characters, CRLF kept as line ends.
fn qp(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() * 3 / 2);
    let mut col = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
            col = 0;
            i += 2;
            continue;
        }
        let c = b[i];
        let literal = (c == b' ' && !b[i + 1..].starts_with(b"\r\n") && i + 1 < b.len())
            || (c.is_ascii_graphic() && c != b'=');
        let width = if literal { 1 } else { 3 };
        if col + width > 75 {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            out.push(c);
        } else {
            out.extend_from_slice(format!("={c:02X}").as_bytes());
        }
        col += width;
        i += 1;
    }
    out
}

const ZONES: [i32; 8] = [0, 60, 120, -300, -480, 480, 540, 330];

const DOMAINS: [&str; 10] = [
    "example.com",
    "example.org",
    "mail.example.net",
    "example.cn",
    "example.jp",
    "example.fr",
    "lists.example.org",
    "corp.example.com",
    "example.de",
    "example.co.uk",
];

const EN_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Hopper",
    "Lovelace",
    "Turing",
    "Knuth",
    "Ritchie",
    "Thompson",
    "Liskov",
    "Hamilton",
    "Dijkstra",
    "Backus",
    "Allen",
    "Goldberg",
];
const FR_NAMES: &[&str] = &[
    "Chloé",
    "Éloïse",
    "Zoë",
    "Anaïs",
    "Gaël",
    "Jérôme",
    "Hélène",
    "François",
    "Noël",
    "Cécile",
    "Dubois",
    "Lefèvre",
    "Müller",
    "Bérénice",
    "Désirée",
    "Renée",
    "Mañez",
    "Ångström",
];
const ZH_NAMES: &[&str] = &[
    "小明", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "王", "李", "张", "刘", "陈",
    "杨", "赵", "黄", "周", "吴",
];
const JA_NAMES: &[&str] = &[
    "太郎",
    "花子",
    "健",
    "由美",
    "翔",
    "さくら",
    "田中",
    "鈴木",
    "佐藤",
    "高橋",
    "渡辺",
    "伊藤",
    "山本",
    "中村",
];

const EN_TOPICS: &[&str] = &[
    "Quarterly report",
    "Lunch on Friday?",
    "Build failed on main",
    "Design review notes",
    "Invoice 2026-0412",
    "Your order has shipped",
    "[tern-dev] Patch: faster header cache",
    "Meeting moved to 3pm",
    "Security advisory for openssl",
    "Weekly status",
    "Holiday schedule",
    "Contract draft v3 for review",
    "Welcome to the team!",
    "Re-org announcement and Q&A",
    "Your password expires in 7 days",
];
const FR_TOPICS: &[&str] = &[
    "Réunion de l'équipe",
    "Facture n° 2026-118 à régler",
    "Congés d'été : planning",
    "Café demain matin ?",
    "Révision du contrat",
    "Présentation générale",
    "Déjeuner à la crêperie",
];
const ZH_TOPICS: &[&str] = &[
    "关于第三季度预算的通知",
    "会议纪要",
    "项目进度汇报",
    "周末聚餐安排",
    "请审核合同草案",
    "系统维护通知",
    "年度总结报告",
];
const JA_TOPICS: &[&str] = &[
    "お疲れ様です",
    "会議の議事録",
    "見積書の送付について",
    "新年会のお知らせ",
    "システムメンテナンスのご案内",
];

const EN_WORDS: &[&str] = &[
    "the", "report", "meeting", "we", "should", "review", "numbers", "before", "Friday", "please",
    "attached", "thanks", "team", "update", "build", "release", "customer", "budget", "schedule",
    "next", "week", "I", "think", "that", "is", "fine", "but", "could", "you", "check", "again",
    "server", "deploy", "notes", "draft", "agree", "with", "plan", "and", "cache", "latency",
    "quickly",
];
const FR_WORDS: &[&str] = &[
    "le",
    "rapport",
    "réunion",
    "nous",
    "devons",
    "vérifier",
    "les",
    "chiffres",
    "avant",
    "vendredi",
    "merci",
    "équipe",
    "à",
    "été",
    "déjà",
    "prévu",
    "très",
    "bientôt",
    "café",
    "où",
    "ça",
    "élève",
    "fenêtre",
    "noël",
    "reçu",
    "garçon",
];
const ZH_WORDS: &[&str] = &[
    "我们",
    "需要",
    "在",
    "周五",
    "之前",
    "完成",
    "报告",
    "请",
    "查看",
    "附件",
    "谢谢",
    "团队",
    "预算",
    "会议",
    "下周",
    "安排",
    "服务器",
    "发布",
    "客户",
    "问题",
    "已经",
    "处理",
];
const JA_WORDS: &[&str] = &[
    "よろしく",
    "お願い",
    "します",
    "会議",
    "資料",
    "確認",
    "来週",
    "予定",
    "です",
    "ありがとう",
    "ございます",
    "添付",
    "ファイル",
    "報告",
    "サーバー",
    "対応",
    "して",
    "います",
];
