//! The downloads page, and the evidence column of the findings CSV it offers.

use serde::Serialize;

use super::VersionModel;
use crate::finding::Finding;

impl<'a> VersionModel<'a> {
    /// The downloads page.
    pub fn downloads(&self, csv_bytes: u64, snapshot_bytes: u64) -> DownloadsPage {
        DownloadsPage {
            findings: self.snapshot.findings.len(),
            csv_bytes,
            snapshot_file: self.header.file.clone(),
            snapshot_bytes,
        }
    }
}

/// The downloads page.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadsPage {
    /// Rows in the CSV.
    pub findings: usize,
    /// The CSV's size.
    pub csv_bytes: u64,
    /// The snapshot's file name.
    pub snapshot_file: String,
    /// Its size.
    pub snapshot_bytes: u64,
}

/// A finding's evidence as text, one `label: value` per line, for the CSV (passing rows write the
/// same lines, escaped, in `components::passing_groups`).
pub fn evidence_lines(f: &Finding) -> String {
    let size: usize = f.evidence.iter().map(|(l, v)| l.len() + v.len() + 3).sum();
    let mut text = String::with_capacity(size);
    for (label, value) in f.evidence.iter() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(label);
        text.push_str(": ");
        text.push_str(value);
    }
    text
}
