//! Links between the pages of a version: an account's and a check's, as the view structs and
//! the components both show them. Plain data, so that `view` (which makes them) and `components`
//! (which write them) depend on it and not on each other.

use serde::Serialize;

use crate::evaluate::Severity;

/// An account, linked.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLink {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its OU path.
    pub ou_path: String,
    /// Its page within the version.
    pub href: String,
}

/// A check, linked.
#[derive(Debug, Clone, Serialize)]
pub struct CheckLink {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity (unknown for a check the snapshot does not describe).
    pub severity: Option<Severity>,
    /// Its page within the version.
    pub href: String,
}
