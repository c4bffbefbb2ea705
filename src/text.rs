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

/// The words of `ids` closest to what the user typed: those that contain it or that it contains
/// (`mfa` → `root-mfa`), else those fewest edits away if that is a few (`root_mfa`, `rot-mfa`).
/// At most three, in the order of `ids`.
pub fn closest<'a>(typed: &str, ids: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    const MOST: usize = 3;
    let typed = typed.trim().to_ascii_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let containing: Vec<String> = ids
        .clone()
        .filter(|id| typed.len() >= 3 && (id.contains(&typed) || typed.contains(*id)))
        .take(MOST)
        .map(str::to_owned)
        .collect();
    if !containing.is_empty() {
        return containing;
    }
    let distances: Vec<(&str, usize)> = ids
        .map(|id| (id, strsim::levenshtein(&typed, id)))
        .collect();
    // A third of the word, at least two edits: enough for a typo or two, not a different word.
    let close_enough = (typed.chars().count() / 3).max(2);
    let Some(best) = distances.iter().map(|(_, d)| *d).min() else {
        return Vec::new();
    };
    if best > close_enough {
        return Vec::new();
    }
    distances
        .into_iter()
        .filter(|(_, d)| *d == best)
        .take(MOST)
        .map(|(id, _)| id.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{closest, plural};

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(plural(0, "file"), "0 files");
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(2, "new version"), "2 new versions");
    }

    #[test]
    fn the_closest_words_contain_the_typed_one_or_are_a_typo_away() {
        let ids = ["root-mfa", "root-access-keys", "guardduty-enabled"];
        assert_eq!(closest("mfa", ids.iter().copied()), ["root-mfa"]);
        assert_eq!(
            closest("root", ids.iter().copied()),
            ["root-mfa", "root-access-keys"]
        );
        assert_eq!(
            closest("guarduty-enabled", ids.iter().copied()),
            ["guardduty-enabled"]
        );
        assert!(closest("s3-public-buckets", ids.iter().copied()).is_empty());
        assert!(closest(" ", ids.iter().copied()).is_empty());
    }
}
