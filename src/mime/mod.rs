//! MIME for the reader: the part tree from BODYSTRUCTURE with RFC 3501 part
//! numbers, body and header decoding (legacy charsets included), HTML to
//! text, the choice of parts to show, safe attachment names, and terminal
//! sanitising of everything that came off the network.
//!
//! No I/O except [`filename::create_unique`]; no network access at all.

pub mod address;
pub mod body;
mod charset;
pub mod decode;
pub mod facts;
pub mod filename;
pub mod headers;
pub mod html;
pub mod list_fields;
mod params;
pub mod raw;
pub mod sanitize;
pub mod section;
pub mod structure;
pub mod subject;
#[cfg(test)]
pub(crate) mod test_support;
mod transfer;

pub use body::{alternatives, display_parts};
pub(crate) use charset::guess_to_utf8;
pub use decode::{Decoder, decode_bytes, decode_text};
pub use filename::{create_unique, safe_filename};
pub use headers::{HeaderView, decode_words, parse_headers};
pub use html::{Rendered, html_to_text};
pub use sanitize::{pad_width, sanitize_line, sanitize_text, truncate_width};
pub use section::{Section, SectionParseError};
pub use structure::{Part, from_bodystructure};
