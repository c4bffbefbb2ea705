//! Small text helpers that more than one stage writes with: the terminal output, the site and
//! the publish log say counts the same way. Pure functions over strings and numbers; no stage's
//! types, so any module may use it without an edge against the pipeline.

/// `3 snapshots`, `1 snapshot`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(plural(0, "file"), "0 files");
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(2, "new version"), "2 new versions");
    }
}
