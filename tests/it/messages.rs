//! What posture says when something fails, end to end: the binary run with bad input, bad
//! settings or a bad endpoint must print one line that blames what actually failed (the endpoint,
//! the profile, the credentials, a foreign answer, the flag), and a scan's summary must show
//! the cause of every ERROR it reports.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use posture::sandbox::{CREDENTIALS_ENV, FaultKind, FaultRule, Sandbox, SandboxGuard};
use serde_json::Value;

use crate::support::{ClearFaults, ROLE, exclusive, seeded, state_dir};

/// An address nothing listens on.
const UNREACHABLE: &str = "http://127.0.0.1:9";

/// A fresh directory of this test's own.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = state_dir(&format!("messages-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test dir");
    dir
}

/// Runs `posture ARGS` with only `env` (and a `HOME` of its own, `PATH`, no instance metadata
/// service): nothing of the machine's AWS settings leaks in.
fn posture(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = state_dir("messages-home");
    std::fs::create_dir_all(&home).expect("home");
    posture_at(&home, args, env)
}

/// [`posture`] with `home` as `HOME` (its `.aws/config` is the shared config file).
fn posture_at(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .output()
        .expect("run posture")
}

/// Asserts that `output` is a failure to run (exit status 2) told in one line on stderr, with
/// nothing on stdout; returns that line.
#[track_caller]
fn one_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(output.stdout.is_empty(), "{:?}", output.stdout);
    stderr.trim_end().to_owned()
}

/// The first line of clap's answer to a usage error (exit status 2).
#[track_caller]
fn usage_error(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    stderr.lines().next().unwrap_or_default().to_owned()
}

/// The sandbox's dummy credentials, as `(name, value)` pairs.
fn dummy_credentials() -> Vec<(&'static str, &'static str)> {
    CREDENTIALS_ENV.to_vec()
}

/// The fixture store rendered into a folder of `name`'s: a site to publish. Returns its path.
fn rendered_site(name: &str) -> String {
    let site = fresh_dir(name).join("site");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1");
    let rendered = posture(
        &[
            "render",
            "--snapshots-dir",
            &fixture.to_string_lossy(),
            "--out",
            &site.to_string_lossy(),
        ],
        &[],
    );
    assert!(rendered.status.success(), "{rendered:?}");
    site.to_string_lossy().into_owned()
}

#[test]
fn an_unreachable_endpoint_is_named_with_the_connection_error_not_as_credentials() {
    let site = rendered_site("unreachable-site");
    let scan: &[&str] = &["scan", "--regions", "us-east-1"];
    let publish: &[&str] = &["publish", "s3://bucket", "--site", &site];
    for (command, start) in [
        (
            scan,
            format!("posture: could not reach the endpoint {UNREACHABLE}: "),
        ),
        (
            publish,
            format!("posture: s3://bucket: could not reach the endpoint {UNREACHABLE}: "),
        ),
    ] {
        let line = one_line(&posture(
            &[command, &["--endpoint-url", UNREACHABLE]].concat(),
            &dummy_credentials(),
        ));
        assert!(line.starts_with(&start), "{line}");
        assert!(line.contains("Connection refused"), "{line}");
        assert!(!line.contains("credentials"), "{line}");
    }
}

#[test]
fn an_endpoint_that_is_no_url_is_refused_by_name_before_any_call() {
    let cases = [
        ("not a url", "it does not start with http:// or https://"),
        (
            "127.0.0.1:4566",
            "it does not start with http:// or https://",
        ),
        (
            "http://[::1",
            "endpoint is not a valid URI: invalid authority",
        ),
        (
            "http://host name/",
            "endpoint is not a valid URI: invalid uri character",
        ),
    ];
    // publish checks its site before the endpoint: give it one.
    let site = rendered_site("endpoint-site");
    for (url, reason) in cases {
        let scan: &[&str] = &["scan", "--regions", "us-east-1"];
        let publish: &[&str] = &["publish", "s3://bucket", "--site", &site];
        for command in [scan, publish] {
            let by_flag = one_line(&posture(
                &[command, &["--endpoint-url", url]].concat(),
                &dummy_credentials(),
            ));
            assert_eq!(
                by_flag,
                format!(
                    "posture: --endpoint-url: {url:?} is not an endpoint URL ({reason}): give one like https://host or http://127.0.0.1:4566"
                ),
                "{command:?}"
            );
        }
        let mut env = dummy_credentials();
        env.push(("AWS_ENDPOINT_URL", url));
        let by_env = one_line(&posture(&["scan", "--regions", "us-east-1"], &env));
        assert!(
            by_env.starts_with(&format!(
                "posture: AWS_ENDPOINT_URL: {url:?} is not an endpoint URL ({reason})"
            )),
            "{by_env}"
        );
        assert!(!by_env.contains("Request {"), "{by_env}");
    }
}

/// A `HOME` whose `~/.aws/config` holds profiles that cannot give credentials.
fn home_with_bad_profiles() -> PathBuf {
    let home = fresh_dir("profiles");
    std::fs::create_dir_all(home.join(".aws")).expect(".aws");
    std::fs::write(
        home.join(".aws/config"),
        r#"[profile good]
region = us-east-1

[profile failing]
credential_process = sh -c "echo token service down >&2; exit 3"

[profile itself]
source_profile = itself
role_arn = arn:aws:iam::123456789012:role/Auditor

[profile ping]
source_profile = pong
role_arn = arn:aws:iam::123456789012:role/Auditor

[profile pong]
source_profile = ping
role_arn = arn:aws:iam::123456789012:role/Auditor

[profile dangling]
source_profile = ghost
role_arn = arn:aws:iam::123456789012:role/Auditor
"#,
    )
    .expect("config");
    home
}

#[test]
fn a_profile_that_cannot_give_credentials_is_refused_by_name_whether_flag_or_aws_profile() {
    let home = home_with_bad_profiles();
    let cases = [
        (
            "nope",
            "no profile \"nope\" in the AWS config or credentials files: list them with `aws configure list-profiles`",
        ),
        (
            "itself",
            "profile \"itself\" is its own source_profile but holds no aws_access_key_id: point source_profile at a profile with credentials",
        ),
        (
            "ping",
            "the source_profile of profile \"ping\" leads round in a loop (ping -> pong -> ping): end it at a profile with credentials",
        ),
        (
            "dangling",
            "profile \"dangling\" takes its credentials from source_profile \"ghost\", which is not in the AWS config or credentials files",
        ),
    ];
    for (profile, problem) in cases {
        let by_flag = one_line(&posture_at(
            &home,
            &["scan", "--profile", profile, "--endpoint-url", UNREACHABLE],
            &[],
        ));
        assert_eq!(by_flag, format!("posture: --profile: {problem}"));
        let by_env = one_line(&posture_at(
            &home,
            &["scan", "--endpoint-url", UNREACHABLE],
            &[("AWS_PROFILE", profile)],
        ));
        assert_eq!(by_env, format!("posture: AWS_PROFILE: {problem}"));
    }
    // The environment's access keys come first in the chain: AWS_PROFILE is not read then.
    let mut env = dummy_credentials();
    env.push(("AWS_PROFILE", "nope"));
    let line = one_line(&posture_at(
        &home,
        &[
            "scan",
            "--endpoint-url",
            UNREACHABLE,
            "--regions",
            "us-east-1",
        ],
        &env,
    ));
    assert!(line.starts_with("posture: could not reach"), "{line}");
}

#[test]
fn a_failing_credential_process_is_posture_s_one_line_without_the_sdk_s_warnings() {
    let home = home_with_bad_profiles();
    let output = posture_at(
        &home,
        &[
            "scan",
            "--profile",
            "failing",
            "--endpoint-url",
            UNREACHABLE,
        ],
        &[],
    );
    let line = one_line(&output);
    assert!(
        line.starts_with("posture: could not load the AWS credentials: "),
        "{line}"
    );
    assert!(line.contains("token service down"), "{line}");
    assert!(!line.contains("dispatch failure"), "{line}");
    // The SDK's own warnings (with its Debug structures) are there when asked for.
    let output = posture_at(
        &home,
        &[
            "scan",
            "--profile",
            "failing",
            "--endpoint-url",
            UNREACHABLE,
        ],
        &[("POSTURE_LOG", "warn")],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WARN aws_config"), "{stderr}");
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("posture: could not load")),
        "{stderr}"
    );
}

/// A server at `127.0.0.1` that answers every request with a proxy's HTML 403 page, except
/// `sts:GetCallerIdentity` when `sts_answers` (then as STS would). Returns its URL.
fn proxy_403(sts_answers: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer(stream, sts_answers);
        }
    });
    url
}

fn answer(stream: TcpStream, sts_answers: bool) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let identity = String::from_utf8_lossy(&body).contains("Action=GetCallerIdentity");
    let (status, content_type, text) = if sts_answers && identity {
        (
            "200 OK",
            "text/xml",
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
        )
    } else {
        (
            "403 Forbidden",
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>Access blocked by policy</h1></body></html>",
        )
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

#[test]
fn an_answer_that_is_not_aws_s_names_its_http_status_for_every_protocol() {
    // sts:GetCallerIdentity is XML (awsQuery); organizations:DescribeOrganization is JSON.
    for (sts_answers, line) in [
        (
            false,
            "posture: sts:GetCallerIdentity failed: HTTP 403 (the answer was not an AWS error: text/html; charset=utf-8, \"403 Forbidden\") (from {url})",
        ),
        (
            true,
            "posture: organizations:DescribeOrganization failed: HTTP 403 (the answer was not an AWS error: text/html; charset=utf-8, \"403 Forbidden\")",
        ),
    ] {
        let url = proxy_403(sts_answers);
        let got = one_line(&posture(
            &["scan", "--endpoint-url", &url, "--regions", "us-east-1"],
            &dummy_credentials(),
        ));
        assert_eq!(got, line.replace("{url}", &url));
        assert!(!got.contains("unexpected token"), "{got}");
    }
}

#[tokio::test]
async fn a_scan_from_a_delegated_administrator_shows_who_ran_it_and_every_error_s_cause() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let audit = seeded.account_id("acme-audit");
    let management = seeded.management_account_id();
    // The audit account's own credentials, as an auditor there would have them.
    let factory = seeded.factory().await;
    let assumed = factory
        .sts(factory.base())
        .assume_role()
        .role_arn(format!("arn:aws:iam::{audit}:role/{ROLE}"))
        .role_session_name("posture-it-delegated")
        .send()
        .await
        .expect("assume the audit account's role");
    let credentials = assumed.credentials().expect("credentials");
    let admin = seeded.admin();
    let faults = ClearFaults(&admin);
    admin
        .add_fault(&FaultRule::on(
            FaultKind::Deny,
            "organizations",
            "ListPoliciesForTarget",
            &audit,
        ))
        .expect("fault");
    let store = fresh_dir("delegated");
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["scan", "--endpoint-url", seeded.endpoint()])
        .args(["--regions", "us-east-1", "--snapshots-dir"])
        .arg(&store)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", credentials.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key())
        .env("AWS_SESSION_TOKEN", credentials.session_token())
        .output()
        .expect("run posture scan");
    faults.clear();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    let organization = seeded.description["organization"]["id"]
        .as_str()
        .expect("organization id");
    let identity = format!(
        "scanned as arn:aws:sts::{audit}:assumed-role/{ROLE}/posture-it-delegated (account {audit}) in organization {organization}, management account {management} (not the management account)"
    );
    assert!(stdout.lines().any(|l| l == identity), "{stdout}");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    let denied = format!(
        "error: organization {organization}: organizations:ListPoliciesForTarget AccessDeniedException: "
    );
    assert!(errors.iter().any(|l| l.starts_with(&denied)), "{errors:#?}");
    // Every ERROR in the snapshot has its cause on an error: line.
    let file = std::fs::read_dir(&store)
        .expect("store")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a snapshot");
    let snapshot: Value = serde_json::from_slice(
        &posture::snapshot::read_snapshot_bytes(&file).expect("a valid snapshot"),
    )
    .expect("json");
    let findings = snapshot["findings"].as_array().expect("findings");
    let failed: Vec<&Value> = findings.iter().filter(|f| f["status"] == "ERROR").collect();
    assert!(
        failed.iter().any(|f| f["check"] == "scps-attached"),
        "{failed:#?}"
    );
    for finding in failed {
        let reason = finding["reason"].as_str().expect("reason");
        // `… SERVICE:ACTION failed: CODE: message`: a line names that call with that code; a
        // reason of no failed call is a line of its own.
        let explained = match reason.split_once(" failed: ") {
            Some((before, after)) => {
                let call = before.rsplit(' ').next().unwrap_or(before);
                let code = after.split(':').next().unwrap_or(after);
                errors
                    .iter()
                    .any(|l| l.contains(&format!("{call} {code}: ")))
            }
            None => errors.iter().any(|l| l.ends_with(reason)),
        };
        assert!(explained, "{reason} has no error: line in {errors:#?}");
    }
}

#[test]
fn an_unknown_ou_is_refused_with_the_organization_s_ou_paths() {
    let seeded = seeded();
    let line = one_line(&posture(
        &[
            "scan",
            "--endpoint-url",
            seeded.endpoint(),
            "--ous",
            "/Nowhere",
        ],
        &dummy_credentials(),
    ));
    let mut paths: Vec<String> = seeded.description["organizational_units"]
        .as_array()
        .expect("organizational_units")
        .iter()
        .map(|ou| ou["path"].as_str().expect("path").to_owned())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    assert_eq!(
        line,
        format!(
            "posture: --ous: the organization has no OU \"/Nowhere\": its OUs are {}",
            paths.join(", ")
        )
    );
}

#[test]
fn all_with_other_regions_is_told_to_stand_alone() {
    for list in ["all,us-east-1", "us-east-1,all"] {
        let line = one_line(&posture(
            &["scan", "--endpoint-url", UNREACHABLE, "--regions", list],
            &dummy_credentials(),
        ));
        assert_eq!(
            line,
            "posture: --regions: `all` stands alone: give `--regions all` for every Region, or list the Regions without it"
        );
    }
}

#[test]
fn render_into_a_file_says_the_os_error_once() {
    let dir = fresh_dir("render-file");
    let file = dir.join("site.txt");
    std::fs::write(&file, "a file, not a folder").expect("file");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1");
    let line = one_line(&posture(
        &[
            "render",
            "--snapshots-dir",
            &fixture.to_string_lossy(),
            "--out",
            &file.to_string_lossy(),
        ],
        &[],
    ));
    assert!(
        line.starts_with(&format!("posture: could not create {}", file.display())),
        "{line}"
    );
    assert_eq!(line.matches("(os error 20)").count(), 1, "{line}");
}

#[test]
fn render_with_a_templates_folder_that_is_not_one_is_refused() {
    let dir = fresh_dir("render-templates");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1");
    let file = dir.join("templates.txt");
    std::fs::write(&file, "not a folder").expect("file");
    let missing = dir.join("nonexistent");
    for (templates, problem) in [(&missing, "no such folder"), (&file, "is not a folder")] {
        let out = dir.join("site");
        let line = one_line(&posture(
            &[
                "render",
                "--snapshots-dir",
                &fixture.to_string_lossy(),
                "--out",
                &out.to_string_lossy(),
                "--templates",
                &templates.to_string_lossy(),
            ],
            &[],
        ));
        assert_eq!(
            line,
            format!(
                "posture: --templates: {}: {problem}: name a folder of files named as in site-templates/",
                templates.display()
            )
        );
        assert!(!out.join("index.html").exists(), "nothing rendered");
    }
}

#[test]
fn a_huge_argument_is_not_echoed_whole() {
    let huge = "x".repeat(100_000);
    let digits = "9".repeat(100_000);
    let path = format!("/tmp/{huge}");
    // A path of many short words: no word of it is long, the line is.
    let spaced = format!("/tmp/{}xxxx", " x".repeat(50_000));
    let cases: [&[&str]; 8] = [
        &["scan", "--endpoint-url", UNREACHABLE, "--regions", &huge],
        &["scan", "--endpoint-url", UNREACHABLE, "--role-name", &huge],
        &["scan", "--endpoint-url", &huge],
        &["scan", "--concurrency", &digits],
        &["checks", &huge],
        &["render", "--snapshots-dir", &path],
        &["render", "--snapshots-dir", &spaced],
        &[&huge],
    ];
    for args in cases {
        let output = posture(args, &dummy_credentials());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            &stderr[..stderr.len().min(300)]
        );
        assert!(
            stderr.len() < 1_200,
            "{:?}: {} bytes: {}…",
            &args[0],
            stderr.len(),
            &stderr[..300]
        );
        assert!(
            stderr.contains("xxx…") || stderr.contains("999…") || stderr.contains(" … "),
            "{stderr}"
        );
    }
}

#[test]
fn a_negative_number_is_refused_as_the_value_of_its_flag() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["scan", "--concurrency", "-1"],
            "--concurrency <CONCURRENCY>",
        ),
        (&["diff", "--limit", "-5"], "--limit <LIMIT>"),
        (
            &["scan", "--access-key-max-age-days", "-90"],
            "--access-key-max-age-days <DAYS>",
        ),
        (&["serve", "--port", "-1"], "--port <PORT>"),
    ];
    for (args, flag) in cases {
        let value = args.last().expect("value");
        let line = usage_error(&posture(args, &[]));
        assert!(
            line.starts_with(&format!("error: invalid value '{value}' for '{flag}': ")),
            "{line}"
        );
    }
}

#[test]
fn a_diff_of_a_snapshot_with_itself_is_refused() {
    let store = fresh_dir("diff-same");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&fixture).expect("fixture") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            std::fs::copy(&path, store.join(&name)).expect("copy");
            names.push(name);
        }
    }
    names.sort();
    let older = store.join(&names[0]);
    let copy = fresh_dir("diff-copy").join("copy.json");
    std::fs::copy(&older, &copy).expect("copy");
    let dir = store.to_string_lossy().into_owned();
    let full = older.to_string_lossy().into_owned();
    let dotted = format!("{dir}/./{}", names[0]);
    let prefix = &names[0][..names[0].len() - 8];
    for (old, new) in [
        (full.as_str(), full.as_str()),
        (names[0].as_str(), full.as_str()),
        (prefix, dotted.as_str()),
    ] {
        let line = one_line(&posture(&["diff", "--snapshots-dir", &dir, old, new], &[]));
        assert!(
            line.starts_with("posture: OLD and NEW are the same file, ")
                && line.contains("name two different snapshots"),
            "{old} {new}: {line}"
        );
    }
    let line = one_line(&posture(
        &[
            "diff",
            "--snapshots-dir",
            &dir,
            &full,
            &copy.to_string_lossy(),
        ],
        &[],
    ));
    assert!(line.contains(" hold the same snapshot (sha256 "), "{line}");
    // The newest named alone, under another spelling, is still the newest.
    let newest = format!("{dir}/./{}", names[1]);
    let line = one_line(&posture(&["diff", "--snapshots-dir", &dir, &newest], &[]));
    assert!(line.contains("is the newest snapshot"), "{line}");
    // Two different snapshots still compare.
    let output = posture(
        &["diff", "--snapshots-dir", &dir, &names[0], &names[1]],
        &[],
    );
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn control_characters_in_aws_strings_do_not_reach_the_terminal_in_error_lines() {
    // A sandbox of its own: the account it adds would change the shared organization.
    let sandbox = Sandbox::locate().with_state_dir(state_dir("messages-sandbox"));
    let guard = SandboxGuard::start(sandbox).expect("start the sandbox");
    guard.sandbox().seed(8).expect("seed");
    let factory = posture::aws::ClientFactory::for_sandbox(guard.endpoint()).await;
    let organizations = factory.organizations(factory.base());
    let created = organizations
        .create_account()
        .account_name("evil\u{1b}[2J\u{7}name")
        .email("evil@example.com")
        .send()
        .await
        .expect("create account");
    let id = created
        .create_account_status()
        .and_then(|s| s.account_id())
        .expect("account id")
        .to_owned();
    posture::sandbox::SandboxAdmin::new(guard.endpoint())
        .add_fault(&FaultRule::deny_assume_role(&id))
        .expect("fault");
    let store = fresh_dir("hostile");
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["scan", "--endpoint-url", guard.endpoint()])
        .args([
            "--regions",
            "us-east-1",
            "--accounts",
            &id,
            "--snapshots-dir",
        ])
        .arg(&store)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(CREDENTIALS_ENV)
        .output()
        .expect("run posture scan");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("error: {id} ")))
        .unwrap_or_else(|| panic!("no error: line for {id}: {stdout}"));
    assert!(
        line.starts_with(&format!("error: {id} (evil?[2J?name): sts:AssumeRole")),
        "{line}"
    );
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
}
