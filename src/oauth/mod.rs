//! OAuth2 sign-in for `auth = "oauth2"` accounts: `tern login` ([`login`]), the token store
//! ([`store`]), the access token a login presents, refreshed before it expires and once after
//! a refusal ([`tokens`]), and the SASL messages that carry it ([`sasl`]). Knows nothing of
//! any UI; no token is ever logged or put in an error.

mod client;
mod http;
pub mod login;
pub mod sasl;
pub mod store;
pub mod tokens;

pub use sasl::Mechanism;
pub use tokens::{access_token, after_refusal};
