//! `s3://BUCKET[/PREFIX]`: where a site is published, parsed and checked before any AWS call, and
//! the one place that maps between a site's relative paths and the bucket's keys. Every key
//! publish writes, and every key it may delete, goes through [`S3Location::key`] and
//! [`S3Location::relative`], so nothing outside the prefix is ever touched.

use std::fmt;

/// A bucket and a prefix in it: where the site's files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket's name.
    pub bucket: String,
    /// The folder in the bucket, without a leading or trailing `/` (`reports/posture`); empty
    /// for the bucket's root.
    pub prefix: String,
}

/// Why an S3 URL was refused: each names the URL and says what to give instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not `s3://…`.
    #[error("{url:?} is not an S3 URL: give s3://BUCKET or s3://BUCKET/PREFIX")]
    NotS3 {
        /// The URL as given.
        url: String,
    },
    /// `s3://` or `s3:///prefix`.
    #[error("{url:?} names no bucket: give s3://BUCKET or s3://BUCKET/PREFIX")]
    NoBucket {
        /// The URL as given.
        url: String,
    },
    /// A bucket name S3 would refuse.
    #[error(
        "{url:?}: {bucket:?} is not a valid S3 bucket name ({why}): give the bucket's name as the S3 console shows it"
    )]
    BadBucket {
        /// The URL as given.
        url: String,
        /// The bucket part.
        bucket: String,
        /// Which rule it breaks.
        why: &'static str,
    },
    /// A CloudFront domain that is not a host name.
    #[error(
        "--cloudfront-domain {domain:?} is not a host name: give the distribution's domain, like d111111abcdef8.cloudfront.net"
    )]
    BadDomain {
        /// The domain as given.
        domain: String,
    },
    /// A prefix with an empty, `.` or `..` part.
    #[error(
        "{url:?}: the prefix {prefix:?} has an empty, \".\" or \"..\" part: give a prefix like site or reports/posture"
    )]
    BadPrefix {
        /// The URL as given.
        url: String,
        /// The prefix part.
        prefix: String,
    },
}

/// Bucket name suffixes S3 reserves for access points and other resources.
const RESERVED_SUFFIXES: [&str; 5] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
/// Bucket name prefixes S3 reserves.
const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];

impl S3Location {
    /// Parses `s3://BUCKET`, `s3://BUCKET/` or `s3://BUCKET/PREFIX[/]`, checking the bucket
    /// name against S3's rules for general purpose buckets
    /// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>).
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(UrlError::NotS3 {
                url: url.to_owned(),
            });
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(UrlError::NoBucket {
                url: url.to_owned(),
            });
        }
        if let Err(why) = check_bucket_name(bucket) {
            return Err(UrlError::BadBucket {
                url: url.to_owned(),
                bucket: bucket.to_owned(),
                why,
            });
        }
        let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
        if !prefix.is_empty()
            && prefix
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(UrlError::BadPrefix {
                url: url.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// What ListObjectsV2 is asked for: `prefix/`, with the slash, so that `s3://b/site` never
    /// lists `site-old/`; empty at the bucket's root.
    pub fn list_prefix(&self) -> String {
        if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        }
    }

    /// The key of the site file at `relative` (`v/x/index.html` → `prefix/v/x/index.html`).
    pub fn key(&self, relative: &str) -> String {
        format!("{}{relative}", self.list_prefix())
    }

    /// The site-relative path of `key`, when the key is under the prefix on a `/` boundary and
    /// names something below it; `None` for every other key.
    pub fn relative<'k>(&self, key: &'k str) -> Option<&'k str> {
        let relative = key.strip_prefix(&self.list_prefix())?;
        (!relative.is_empty()).then_some(relative)
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.list_prefix())
    }
}

/// The host name of a CloudFront distribution (or of a custom domain in front of it), for the URL
/// publish prints: `https://` and a trailing `/` are dropped if given.
pub fn cloudfront_domain(given: &str) -> Result<String, UrlError> {
    let host = given.strip_prefix("https://").unwrap_or(given);
    let host = host.strip_suffix('/').unwrap_or(host).to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if valid {
        Ok(host)
    } else {
        Err(UrlError::BadDomain {
            domain: given.to_owned(),
        })
    }
}

/// Which of S3's naming rules `name` breaks, if any.
fn check_bucket_name(name: &str) -> Result<(), &'static str> {
    if !(3..=63).contains(&name.len()) {
        return Err("3 to 63 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Err("only lowercase letters, digits, dots and hyphens");
    }
    let alphanumeric = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    if !alphanumeric(name.bytes().next()) || !alphanumeric(name.bytes().last()) {
        return Err("it must start and end with a letter or digit");
    }
    if name.contains("..") {
        return Err("no two dots in a row");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("not an IP address");
    }
    if RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
        || RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s))
    {
        return Err("a prefix or suffix S3 reserves");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> (String, String) {
        let location = S3Location::parse(url).unwrap_or_else(|err| panic!("{url}: {err}"));
        (location.bucket, location.prefix)
    }

    #[test]
    fn a_bucket_alone_publishes_at_its_root() {
        for url in ["s3://posture-site", "s3://posture-site/"] {
            assert_eq!(parsed(url), ("posture-site".into(), String::new()));
        }
        let root = S3Location::parse("s3://posture-site").unwrap();
        assert_eq!(root.key("index.html"), "index.html");
        assert_eq!(root.to_string(), "s3://posture-site/");
    }

    #[test]
    fn a_prefix_loses_its_trailing_slash_and_keeps_its_folders() {
        for url in [
            "s3://b.example/reports/posture",
            "s3://b.example/reports/posture/",
        ] {
            assert_eq!(parsed(url), ("b.example".into(), "reports/posture".into()));
        }
        let location = S3Location::parse("s3://bkt/reports/posture").unwrap();
        assert_eq!(
            location.key("v/x/index.html"),
            "reports/posture/v/x/index.html"
        );
        assert_eq!(location.to_string(), "s3://bkt/reports/posture/");
    }

    #[test]
    fn a_key_is_inside_the_prefix_only_on_a_slash_boundary() {
        let site = S3Location::parse("s3://bkt/site").unwrap();
        assert_eq!(site.relative("site/index.html"), Some("index.html"));
        assert_eq!(site.relative("site/v/x/a.html"), Some("v/x/a.html"));
        for outside in [
            "site-old/index.html",
            "site",
            "sites/index.html",
            "other/site/x",
            "site/",
        ] {
            assert_eq!(site.relative(outside), None, "{outside}");
        }
        let root = S3Location::parse("s3://bkt").unwrap();
        assert_eq!(root.relative("anything/at/all"), Some("anything/at/all"));
    }

    #[test]
    fn urls_that_are_not_s3_are_refused_naming_the_url() {
        for url in [
            "posture-site",
            "https://posture-site.s3.amazonaws.com/",
            "S3://bkt",
            "s3:/bkt",
        ] {
            let err = S3Location::parse(url).unwrap_err();
            assert_eq!(err, UrlError::NotS3 { url: url.into() });
            assert!(err.to_string().contains("give s3://BUCKET"), "{err}");
        }
    }

    #[test]
    fn a_url_without_a_bucket_is_refused() {
        for url in ["s3://", "s3:///site"] {
            assert_eq!(
                S3Location::parse(url).unwrap_err(),
                UrlError::NoBucket { url: url.into() }
            );
        }
    }

    #[test]
    fn bucket_names_s3_would_refuse_are_refused_with_the_rule() {
        for (bucket, why) in [
            ("ab", "3 to 63 characters"),
            (&"a".repeat(64), "3 to 63 characters"),
            (
                "Posture_Site",
                "only lowercase letters, digits, dots and hyphens",
            ),
            (
                "posture site",
                "only lowercase letters, digits, dots and hyphens",
            ),
            ("-posture", "it must start and end with a letter or digit"),
            ("posture.", "it must start and end with a letter or digit"),
            ("posture..site", "no two dots in a row"),
            ("192.168.1.1", "not an IP address"),
            ("xn--posture", "a prefix or suffix S3 reserves"),
            ("posture-s3alias", "a prefix or suffix S3 reserves"),
        ] {
            let url = format!("s3://{bucket}/site");
            let err = S3Location::parse(&url).unwrap_err();
            assert_eq!(
                err,
                UrlError::BadBucket {
                    url: url.clone(),
                    bucket: bucket.to_owned(),
                    why
                },
                "{url}"
            );
            let line = err.to_string();
            assert!(line.contains(bucket) && !line.contains('\n'), "{line}");
        }
        assert!(S3Location::parse("s3://my-bucket.2026/site").is_ok());
    }

    #[test]
    fn a_cloudfront_domain_is_a_host_name_with_or_without_scheme_and_slash() {
        for given in [
            "d111111abcdef8.cloudfront.net",
            "https://d111111abcdef8.cloudfront.net/",
        ] {
            assert_eq!(
                cloudfront_domain(given).unwrap(),
                "d111111abcdef8.cloudfront.net"
            );
        }
        assert_eq!(
            cloudfront_domain("Posture.Example.com").unwrap(),
            "posture.example.com"
        );
        for given in [
            "",
            "http://x.cloudfront.net",
            "x.cloudfront.net/site",
            "-x.net",
            "a..b",
        ] {
            assert_eq!(
                cloudfront_domain(given),
                Err(UrlError::BadDomain {
                    domain: given.into()
                }),
                "{given}"
            );
        }
    }

    #[test]
    fn prefixes_with_empty_or_dot_parts_are_refused() {
        for url in [
            "s3://bkt//site",
            "s3://bkt/a//b",
            "s3://bkt/./site",
            "s3://bkt/a/../b",
        ] {
            assert!(
                matches!(S3Location::parse(url), Err(UrlError::BadPrefix { .. })),
                "{url}"
            );
        }
    }
}
