//! HTML bodies as plain terminal lines, with links numbered `[N]` in the
//! text and their URLs listed separately for an open-link picker.
//!
//! Nothing is fetched: html2text only reads the given string, and images
//! become their alt text or nothing.

use std::cell::RefCell;
use std::rc::Rc;

use html2text::config;
use html2text::render::{TaggedLine, TextDecorator};

use crate::mime::sanitize::{sanitize_line, sanitize_text};

/// Rendering is superlinear in nesting depth, so hostile input is capped.
const MAX_INPUT_BYTES: usize = 2 * 1024 * 1024;
const MIN_WIDTH: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised display lines.
    pub lines: Vec<String>,
    /// `links[N - 1]` is the target of the `[N]` marker in `lines`.
    pub links: Vec<String>,
}

/// Renders `html` (already decoded to UTF-8) wrapped at `width` columns
/// (at least 20).
pub fn html_to_text(html: &str, width: usize) -> Rendered {
    let width = width.max(MIN_WIDTH);
    let (input, truncated) = cap(html);
    // Escape sequences and bidi controls are removed before parsing, where
    // they are still recognisable; afterwards only fragments would remain.
    let input = sanitize_text(input);
    let urls = Rc::new(RefCell::new(Vec::new()));
    let decorator = LinkDecorator {
        urls: Rc::clone(&urls),
    };
    // Footnotes make html2text number links globally and put `[N]` after
    // each; the decorator keeps the URL list instead of appending it.
    let rendered = config::with_decorator(decorator)
        .link_footnotes(true)
        .lines_from_read(input.as_bytes(), width);
    let mut lines: Vec<String> = match rendered {
        Ok(tagged) => tagged
            .iter()
            .map(|line| sanitize_line(&line_text(line)).trim_end().to_string())
            .collect(),
        Err(e) => vec![format!("[could not render HTML: {e}]")],
    };
    if truncated {
        lines.push(String::new());
        lines.push(format!(
            "[HTML truncated: only the first {} MiB were rendered]",
            MAX_INPUT_BYTES / (1024 * 1024)
        ));
    }
    // Entities such as &#27; survive the input pass; a URL never needs controls.
    let links = urls.take().iter().map(|u| sanitize_line(u)).collect();
    Rendered { lines, links }
}

fn cap(html: &str) -> (&str, bool) {
    if html.len() <= MAX_INPUT_BYTES {
        return (html, false);
    }
    let mut end = MAX_INPUT_BYTES;
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    (&html[..end], true)
}

fn line_text(line: &TaggedLine<Vec<()>>) -> String {
    line.tagged_strings().map(|t| t.s.as_str()).collect()
}

/// Plain text without markup around links (the `[N]` marker is enough);
/// images show their alt text, which html2text only asks for when present.
#[derive(Clone)]
struct LinkDecorator {
    urls: Rc<RefCell<Vec<String>>>,
}

impl TextDecorator for LinkDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        (format!("[{title}]"), ())
    }
    fn header_prefix(&self, level: usize) -> String {
        "#".repeat(level) + " "
    }
    fn quote_prefix(&self) -> String {
        "> ".to_string()
    }
    fn unordered_item_prefix(&self) -> String {
        "* ".to_string()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        self.clone()
    }
    fn finalise(&mut self, urls: Vec<String>) -> Vec<TaggedLine<()>> {
        *self.urls.borrow_mut() = urls;
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWSLETTER: &str = include_str!("testdata/segmentfault.html");
    const CONFIRM: &str =
        "http://segmentfault.com/user/confirm?type=register&code=c22c48691bf3dd39eaf67089d0ba0f13";

    #[test]
    fn renders_the_seed_newsletter() {
        let r = html_to_text(NEWSLETTER, 80);
        let text = r.lines.join("\n");
        assert!(text.contains("最专业的中文开发者社区"), "{text}");
        assert!(text.contains("感谢您注册 SegmentFault 问答社区"), "{text}");
        assert!(text.contains("[SegmentFault 移动客户端]"), "{text}");
        // The confirm link appears twice; each occurrence has its own number.
        let confirm: Vec<usize> = (1..=r.links.len())
            .filter(|n| r.links[n - 1] == CONFIRM)
            .collect();
        assert_eq!(confirm.len(), 2, "{:?}", r.links);
        assert!(
            text.contains(&format!("d0ba0f13[{}]", confirm[0])),
            "{text}"
        );
        assert!(
            text.contains(&format!("完成注册 ➔[{}]", confirm[1])),
            "{text}"
        );
        assert!(!text.contains("sctrack"), "tracking pixel leaked: {text}");
        assert!(!text.contains("color: #009A61"), "style leaked: {text}");
        for line in &r.lines {
            assert!(
                unicode_width::UnicodeWidthStr::width(line.as_str()) <= 80,
                "{line}"
            );
        }
    }

    #[test]
    fn numbers_links_in_order() {
        let r = html_to_text(
            r#"<p>See <a href="https://a.example/">one</a> and <a href="https://b.example/x">two</a>.</p>"#,
            40,
        );
        assert_eq!(r.links, ["https://a.example/", "https://b.example/x"]);
        assert_eq!(r.lines, ["See one[1] and two[2]."]);
        let r = html_to_text(r#"<a href="https://x/&#27;[2J">x</a>"#, 40);
        assert_eq!(r.links, ["https://x/"]);
    }

    #[test]
    fn images_show_alt_or_nothing() {
        let r = html_to_text(
            r#"<p>a<img src="http://t/p.gif" width="0" height="0">b<img src="x.png" alt="Logo">c</p>"#,
            40,
        );
        assert_eq!(r.lines, ["ab[Logo]c"]);
        assert!(r.links.is_empty());
    }

    #[test]
    fn strips_escapes_and_clamps_width() {
        let r = html_to_text("<p>\x1b]0;pwned\x07safe \x1b[31mred</p>", 0);
        assert_eq!(r.lines, ["safe red"]);
        let words = "word ".repeat(30);
        let r = html_to_text(&format!("<p>{words}</p>"), 5);
        assert!(r.lines.iter().all(|l| l.len() <= 20), "{:?}", r.lines);
    }

    #[test]
    fn caps_huge_input() {
        let big = format!("<p>{}</p>", "字".repeat(MAX_INPUT_BYTES / 3 + 10));
        let r = html_to_text(&big, 80);
        assert!(r.lines.last().unwrap().starts_with("[HTML truncated"));
    }
}
