//! `posture serve`: the rendered site over HTTP on 127.0.0.1, to look at it as it will be
//! published. Read-only, GET and HEAD only, nothing outside the site's folder: a site holding a
//! symbolic link or a special file is refused at start ([`site_files`]), and each request opens
//! only a regular file reached through folders, never through a link (one planted while serving).
//! Pages get the security headers the README's CloudFront response headers policy adds.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use tracing::{debug, warn};

use super::folder::{SiteFolderError, site_files};
use crate::files::{Links, read_regular};

/// The pages' Content-Security-Policy (as `base.html`'s meta tag has it), plus what only a header
/// can say: no other site may frame the pages (`frame-ancestors` is ignored in a meta tag).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The headers every answer carries besides its content type: what the README's CloudFront
/// response headers policy adds to the published site.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
];

/// The server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// There is no site to serve.
    #[error("{}: no site here (no index.html): run `posture render` first, or name the site with --out", dir.display())]
    NoSite {
        /// The folder.
        dir: PathBuf,
    },
    /// The site holds a link or a special file.
    #[error(transparent)]
    Folder(#[from] SiteFolderError),
    /// The port could not be bound.
    #[error("could not listen on 127.0.0.1:{port}: {message}: choose another with --port")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        message: String,
    },
}

/// A static file server over one folder.
pub struct Server {
    http: tiny_http::Server,
    root: PathBuf,
    addr: SocketAddr,
}

impl Server {
    /// Listens on 127.0.0.1:`port` (0: any free port) for the site in `root`.
    ///
    /// # Errors
    /// When `root` holds no site, holds a link or special file, or the port is taken.
    pub fn bind(root: &Path, port: u16) -> Result<Self, ServeError> {
        if !root.join("index.html").is_file() {
            return Err(ServeError::NoSite {
                dir: root.to_owned(),
            });
        }
        site_files(root)?;
        let http =
            tiny_http::Server::http(("127.0.0.1", port)).map_err(|err| ServeError::Bind {
                port,
                message: err.to_string(),
            })?;
        let addr = http.server_addr().to_ip().expect("bound to an IP address");
        Ok(Self {
            http,
            root: root.to_owned(),
            addr,
        })
    }

    /// The site's address: `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answers requests until the process ends.
    pub fn run(self) {
        let port = self.addr.port();
        for request in self.http.incoming_requests() {
            let host = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map(|h| h.value.as_str().to_owned());
            let response = if host.as_deref().is_some_and(|h| is_local_host(h, port)) {
                answer(&self.root, request.method(), request.url())
            } else {
                // Another name for 127.0.0.1 (DNS rebinding) must not read the findings.
                (
                    421,
                    "text/plain; charset=utf-8",
                    b"wrong host\n".to_vec(),
                    None,
                )
            };
            debug!(url = request.url(), status = response.0, "served");
            let (status, content_type, body, location) = response;
            let mut reply = tiny_http::Response::from_data(body).with_status_code(status);
            let location = location.unwrap_or_default();
            let mut headers = vec![
                ("Content-Type", content_type),
                ("Cache-Control", "no-cache"),
            ];
            headers.extend(SECURITY_HEADERS);
            if !location.is_empty() {
                headers.push(("Location", location.as_str()));
            }
            for (name, value) in headers {
                reply.add_header(
                    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                        .expect("a valid header"),
                );
            }
            // A reader that went away is not our failure.
            let _ = request.respond(reply);
        }
    }
}

/// What one request gets: status, content type, body, and where a redirect points.
type Answer = (u16, &'static str, Vec<u8>, Option<String>);

/// Whether a `Host` header names this server on the loopback address.
fn is_local_host(host: &str, port: u16) -> bool {
    [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
        .iter()
        .any(|allowed| host.eq_ignore_ascii_case(allowed))
}

/// The answer to one request.
fn answer(root: &Path, method: &tiny_http::Method, url: &str) -> Answer {
    let not_found = (
        404,
        "text/plain; charset=utf-8",
        b"not found\n".to_vec(),
        None,
    );
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        return (
            405,
            "text/plain; charset=utf-8",
            b"read-only\n".to_vec(),
            None,
        );
    }
    let Some(relative) = site_path(url) else {
        return not_found;
    };
    let Some(mut path) = without_links(root, &relative) else {
        return not_found;
    };
    if path.is_dir() {
        let bare = url.split(['?', '#']).next().unwrap_or("");
        if !bare.ends_with('/') {
            // Relative links on the folder's index resolve against the folder only with the
            // slash.
            return (
                301,
                "text/plain; charset=utf-8",
                Vec::new(),
                Some(format!("{bare}/")),
            );
        }
        path.push("index.html");
    }
    match read_regular(&path, Links::Refuse) {
        Ok(body) => (200, content_type(&path), body, None),
        Err(err) => {
            if err.kind() == std::io::ErrorKind::InvalidInput {
                warn!("not serving {}: {err}", path.display());
            }
            not_found
        }
    }
}

/// `root` joined with `relative` when no folder on the way is a symbolic link (nor the last
/// part): a link planted while serving must not lead out of the site. `None` (not found) for a
/// link, naming it in a warning.
fn without_links(root: &Path, relative: &Path) -> Option<PathBuf> {
    let mut path = root.to_owned();
    for part in relative.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                warn!(
                    "not serving {}: a symbolic link, which posture never writes in a site",
                    path.display()
                );
                return None;
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    Some(path)
}

/// The file a URL path names inside the site, or `None` when it would leave it (`..`), names a
/// hidden file, or is not valid percent-encoded UTF-8.
pub(super) fn site_path(url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let mut relative = PathBuf::new();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => {
                relative.push(part);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(relative)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a site file, by its extension.
pub(crate) fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "gz" => "application/gzip",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_site_or_name_hidden_files() {
        assert_eq!(
            site_path("/v/a/index.html?x=1"),
            Some(PathBuf::from("v/a/index.html"))
        );
        assert_eq!(site_path("/"), Some(PathBuf::new()));
        for url in [
            "/../etc/passwd",
            "/v/%2e%2e/%2e%2e/x",
            "/v/.a.tmp-1/index.html",
            "/%zz",
        ] {
            assert_eq!(site_path(url), None, "{url}");
        }
    }

    #[test]
    fn the_header_policy_is_the_pages_meta_policy_and_forbids_framing() {
        let base = include_str!("../../site-templates/base.html");
        let meta = format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
            CONTENT_SECURITY_POLICY
                .strip_suffix("; frame-ancestors 'none'")
                .unwrap()
        );
        assert!(base.contains(&meta), "base.html's policy is not {meta}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_while_serving_is_not_followed() {
        let root = std::env::temp_dir().join(format!("posture-serve-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("v/a")).unwrap();
        std::fs::write(root.join("index.html"), "<p>site</p>").unwrap();
        std::fs::write(root.join("v/a/index.html"), "<p>a</p>").unwrap();
        std::os::unix::fs::symlink("/etc", root.join("v/etc")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("v/a/passwd")).unwrap();
        let get = |url: &str| answer(&root, &tiny_http::Method::Get, url);
        assert_eq!(get("/v/a/").0, 200);
        assert_eq!(get("/v/a/").2, b"<p>a</p>");
        for url in ["/v/etc/passwd", "/v/etc/", "/v/a/passwd"] {
            let (status, _, body, _) = get(url);
            assert_eq!(
                (status, body.as_slice()),
                (404, &b"not found\n"[..]),
                "{url}"
            );
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn only_the_loopback_names_of_this_port_are_served() {
        assert!(is_local_host("127.0.0.1:8000", 8000));
        assert!(is_local_host("localhost:8000", 8000));
        assert!(!is_local_host("attacker.example:8000", 8000));
        assert!(!is_local_host("127.0.0.1:8001", 8000));
    }

    #[test]
    fn pages_and_downloads_get_their_content_types() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("findings.csv")),
            "text/csv; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.json.gz")), "application/gzip");
    }
}
