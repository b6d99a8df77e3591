//! Splits a query into tokens, remembering each token's column for error messages.

use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    Open,
    Close,
    Or,
    Not,
    /// `key:value`, key lower-cased, value unquoted.
    Field(String, String),
    Word(String),
}

#[derive(Debug, Clone)]
pub struct Token {
    pub kind: TokenKind,
    /// 1-based column of the token's first character.
    pub column: usize,
    /// Width in characters.
    pub width: usize,
}

impl Token {
    pub fn describe(&self) -> String {
        match &self.kind {
            TokenKind::Open => "(".into(),
            TokenKind::Close => ")".into(),
            TokenKind::Or => "\"or\"".into(),
            TokenKind::Not => "\"not\"".into(),
            TokenKind::Field(k, v) => format!("\"{k}:{v}\""),
            TokenKind::Word(w) => format!("\"{w}\""),
        }
    }
}

pub fn tokenize(input: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' || c == ')' {
            tokens.push(Token {
                kind: if c == '(' {
                    TokenKind::Open
                } else {
                    TokenKind::Close
                },
                column: start + 1,
                width: 1,
            });
            i += 1;
            continue;
        }
        if c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            tokens.push(Token {
                kind: TokenKind::Not,
                column: start + 1,
                width: 1,
            });
            i += 1;
            continue;
        }
        // A word, a key:value pair, or a quoted phrase (possibly after `key:`).
        let mut key = None;
        let mut word = String::new();
        loop {
            match chars.get(i) {
                None => break,
                Some(ch) if ch.is_whitespace() || *ch == '(' || *ch == ')' => break,
                Some(':') if key.is_none() && !word.is_empty() => {
                    key = Some(std::mem::take(&mut word).to_ascii_lowercase());
                    i += 1;
                }
                Some('"') => {
                    let quote_at = i;
                    i += 1;
                    loop {
                        match chars.get(i) {
                            None => {
                                return Err(ParseError {
                                    column: quote_at + 1,
                                    message: "this quote is never closed".into(),
                                });
                            }
                            Some('\\') if i + 1 < chars.len() => {
                                word.push(chars[i + 1]);
                                i += 2;
                            }
                            Some('"') => {
                                i += 1;
                                break;
                            }
                            Some(ch) => {
                                word.push(*ch);
                                i += 1;
                            }
                        }
                    }
                }
                Some(ch) => {
                    word.push(*ch);
                    i += 1;
                }
            }
        }
        let kind = match key {
            Some(k) => TokenKind::Field(k, word),
            None if word.eq_ignore_ascii_case("or") && chars[start] != '"' => TokenKind::Or,
            None if word.eq_ignore_ascii_case("not") && chars[start] != '"' => TokenKind::Not,
            None => TokenKind::Word(word),
        };
        tokens.push(Token {
            kind,
            column: start + 1,
            width: i - start,
        });
    }
    Ok(tokens)
}
