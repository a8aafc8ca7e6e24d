//! `--verify` against a recording stand-in for STS on 127.0.0.1: what is sent, how often,
//! and when nothing may be sent at all. The stand-in answers every request as an active
//! caller (or never answers); whether signatures are right is the moto tests' job
//! (verify_moto.rs), with a real STS implementation.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::common::{ROOT, Run, scan_in, tree_of};
use crate::git_common::{Repo, env_file, fake_key, fake_secret, git_findings};

const ANSWER: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
    <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/stand-in</Arn>\
    <UserId>AIDASTANDIN</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
    </GetCallerIdentityResponse>";

/// How the stand-in answers.
#[derive(Clone, Copy)]
pub enum Reply {
    /// 200 and [`ANSWER`].
    Active,
    /// This status and body.
    Status(u16, &'static str),
    /// Nothing: the connection is held open.
    Silent,
}

/// A listener that records each request (head and body, as text) and answers as `reply` says.
pub struct StandIn {
    pub endpoint: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    pub fn start(reply: Reply) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        // Detached: it lives as long as the test binary, blocked in accept.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || serve(stream, &seen, reply));
            }
        });
        StandIn { endpoint, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<String>>, reply: Reply) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    // Head, then as many body bytes as Content-Length says.
    loop {
        let Ok(n) = stream.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break;
            }
        }
    }
    seen.lock()
        .unwrap()
        .push(String::from_utf8_lossy(&data).into_owned());
    let (status, body) = match reply {
        Reply::Active => (200, ANSWER),
        Reply::Status(status, body) => (status, body),
        Reply::Silent => {
            std::thread::sleep(Duration::from_secs(30));
            return;
        }
    };
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// `keyleak scan --format FORMAT --verify --sts-endpoint ENDPOINT EXTRA .` in `dir`.
fn verify_as(format: &str, dir: &Path, endpoint: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--format", format, "--verify", "--sts-endpoint", endpoint];
    args.extend_from_slice(extra);
    args.push(".");
    scan_in(dir, &args)
}

fn verify_json(dir: &Path, endpoint: &str, extra: &[&str]) -> Run {
    verify_as("json", dir, endpoint, extra)
}

fn by_path<'a>(findings: &'a [Value], path: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding in {path}: {findings:#?}"))
}

#[test]
fn each_credential_is_sent_once_signed_and_never_in_clear() {
    let sts = StandIn::start(Reply::Active);
    let (key, secret, other_secret) = (fake_key("AKIA"), fake_secret(), fake_secret());
    let tmp = tree_of(&[
        ("a.env", &env_file(&key, &secret)),
        ("b.env", &env_file(&key, &secret)),
        // The same key ID with another secret is another credential: sent too.
        ("c.env", &env_file(&key, &other_secret)),
    ]);
    let dir = tmp.path();
    let sts_file = Path::new(ROOT).join("testdata/positive/sts/assume-role.json");
    std::fs::copy(&sts_file, dir.join("assume-role.json")).unwrap();
    let run = verify_json(dir, &sts.endpoint, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let requests = sts.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    let sts_json: Value = serde_json::from_slice(&std::fs::read(&sts_file).unwrap()).unwrap();
    let sts_secret = sts_json["Credentials"]["SecretAccessKey"].as_str().unwrap();
    let sts_token = sts_json["Credentials"]["SessionToken"].as_str().unwrap();
    for r in &requests {
        assert!(r.starts_with("POST / HTTP/1.1\r\n"), "{r}");
        assert!(
            r.ends_with("\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15"),
            "{r}"
        );
        let lower = r.to_ascii_lowercase();
        assert!(lower.contains("\r\nhost: 127.0.0.1:"), "{r}");
        assert!(lower.contains("\r\nx-amz-date: "), "{r}");
        for s in [secret.as_str(), other_secret.as_str(), sts_secret] {
            assert!(!r.contains(s), "a secret went out in clear: {r}");
        }
    }
    let auth_for = |k: &str| {
        requests
            .iter()
            .filter(|r| r.contains(&format!("Credential={k}/")))
            .count()
    };
    assert_eq!(auth_for(&key), 2, "{requests:#?}");
    let asia = requests
        .iter()
        .find(|r| r.contains("Credential=ASIA2PSAGESIXFWFUUEI/"))
        .expect("the temporary key is sent with its token");
    assert!(
        asia.to_ascii_lowercase()
            .contains("signedheaders=content-type;host;x-amz-date;x-amz-security-token,"),
        "{asia}"
    );
    let token_line = asia
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("x-amz-security-token: "))
        .expect("token header");
    assert_eq!(token_line.split_once(": ").unwrap().1, sts_token);
    let findings = run.findings();
    assert_eq!(findings.len(), 4, "{findings:#?}");
    for f in &findings {
        assert_eq!(f["verified"], "active", "{f}");
        assert_eq!(f["verified_arn"], "arn:aws:iam::123456789012:user/stand-in");
        assert_eq!(f["verified_account"], "123456789012");
        assert_eq!(f["verified_user_id"], "AIDASTANDIN");
    }
    assert_eq!(by_path(&findings, "a.env")["risk"], "critical");
    assert_eq!(by_path(&findings, "assume-role.json")["risk"], "high");
    assert!(
        by_path(&findings, "assume-role.json")["advice"]["first_step"]
            .as_str()
            .unwrap()
            .contains("Revoke active sessions")
    );
    let summary = &run.json()["summary"]["verified"];
    assert_eq!(summary["active"], 4, "{summary}");
    assert_eq!(summary["invalid"], 0);
}

#[test]
fn canary_example_and_unpaired_keys_are_never_sent() {
    let sts = StandIn::start(Reply::Active);
    const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let (lone, temp_without_token) = (fake_key("AKIA"), fake_key("ASIA"));
    let tmp = tree_of(&[
        ("docs.env", &env_file("AKIAIOSFODNN7EXAMPLE", DOC_SECRET)),
        ("lone.txt", &format!("key = {lone}\n")),
        // A real-looking key with the documentation secret: nothing to sign with.
        ("half.env", &env_file(&fake_key("AKIA"), DOC_SECRET)),
        ("temp.env", &env_file(&temp_without_token, &fake_secret())),
    ]);
    let dir = tmp.path();
    std::fs::copy(
        Path::new(ROOT).join("testdata/positive/canary/credentials"),
        dir.join("credentials"),
    )
    .unwrap();
    let run = verify_json(dir, &sts.endpoint, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(sts.requests(), Vec::<String>::new());
    let findings = run.findings();
    // Two canary keys in `credentials`, the example, the placeholder secret, the lone key,
    // the tokenless ASIA.
    assert_eq!(findings.len(), 6, "{findings:#?}");
    for f in &findings {
        assert!(f.get("verified").is_none(), "{f}");
    }
    assert!(run.json()["summary"].get("verified").is_none());
    assert!(
        run.stderr.contains(
            "not sent, canary keys (tripwires that alert their owner): AKIAQYLPMN5HP35U6F6W"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_silent_endpoint_is_an_error_after_the_timeout_and_the_scan_completes() {
    let sts = StandIn::start(Reply::Silent);
    let (tmp, key) = tree_with_a_pair();
    let run = verify_json(tmp.path(), &sts.endpoint, &["--verify-timeout", "300ms"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = &run.findings()[0];
    assert_eq!(f["verified"], "error");
    assert_eq!(f["risk"], "critical", "no answer leaves the risk as found");
    let detail = f["verified_detail"].as_str().unwrap();
    assert!(
        detail.contains("imeout") || detail.contains("timed out"),
        "{detail}"
    );
    assert!(
        run.stderr.contains(&format!(
            "keyleak: warning: --verify: could not verify {key}"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(sts.requests().len(), 1, "no retry");
}

#[test]
fn a_closed_port_is_an_error_and_a_warning() {
    // Bound, then dropped: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (tmp, _) = tree_with_a_pair();
    let run = verify_json(tmp.path(), &format!("http://127.0.0.1:{port}"), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = &run.findings()[0];
    assert_eq!(
        (f["verified"].as_str(), f["risk"].as_str()),
        (Some("error"), Some("critical"))
    );
    assert!(
        run.stderr.contains("--verify: could not verify"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["summary"]["verified"]["error"], 1);
}

#[test]
fn verification_is_off_unless_asked_and_held_back_from_hook_runs() {
    let sts = StandIn::start(Reply::Active);
    let repo = Repo::new();
    repo.first_commit();
    repo.stage("staged.env", &env_file(&fake_key("AKIA"), &fake_secret()));
    let endpoint = ["--sts-endpoint", sts.endpoint.as_str()];
    // A pre-commit (`--staged`) run and a files run over staged.env, both at the stand-in.
    let staged =
        |flags: &[&str]| git_findings(repo.path(), &[&["--staged"], flags, &endpoint].concat());
    let files = |flags: &[&str]| {
        scan_in(
            repo.path(),
            &[flags, &endpoint, &["--format", "json", "staged.env"]].concat(),
        )
    };
    // No flag, no configuration: nothing is sent.
    let (run, findings) = staged(&[]);
    assert_eq!((run.code, findings.len()), (1, 1), "{}", run.stderr);
    assert!(findings[0].get("verified").is_none());
    // Files scans honour `verify = true` ...
    repo.write(".keyleak.toml", "verify = true\n");
    let run = files(&[]);
    assert_eq!(run.findings()[0]["verified"], "active", "{}", run.stderr);
    assert_eq!(sts.requests().len(), 1);
    // ... unless --no-verify ...
    let run = files(&["--no-verify"]);
    assert!(run.findings()[0].get("verified").is_none());
    assert_eq!(sts.requests().len(), 1);
    // ... and a pre-commit (--staged) run does not, saying why.
    let (run, findings) = staged(&[]);
    assert!(findings[0].get("verified").is_none(), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("not applied to --staged (pre-commit) scans; pass --verify"),
        "{}",
        run.stderr
    );
    assert_eq!(sts.requests().len(), 1);
    // Nor does the framework hook's run over the files it is given.
    let run = files(&["--hook-files"]);
    assert!(run.findings()[0].get("verified").is_none());
    assert!(
        run.stderr
            .contains("not applied to --hook-files (pre-commit) scans; pass --verify"),
        "{}",
        run.stderr
    );
    assert_eq!(sts.requests().len(), 1);
    // --verify on the hook's own command line does.
    let (run, findings) = staged(&["--verify"]);
    assert_eq!(findings[0]["verified"], "active", "{}", run.stderr);
    assert_eq!(sts.requests().len(), 2);
}

/// A directory holding one fresh key pair in `a.env`, and its key ID.
fn tree_with_a_pair() -> (tempfile::TempDir, String) {
    let key = fake_key("AKIA");
    (tree_of(&[("a.env", &env_file(&key, &fake_secret()))]), key)
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let (tmp, _) = tree_with_a_pair();
    for endpoint in [
        "http://sts.amazonaws.com",
        "http://192.0.2.1:8080",
        "ftp://127.0.0.1",
    ] {
        let run = verify_json(tmp.path(), endpoint, &[]);
        assert_eq!(run.code, 2, "{endpoint}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(run.stderr.contains("--sts-endpoint"), "{}", run.stderr);
    }
}

#[test]
fn a_port_out_of_range_is_refused() {
    let (tmp, _) = tree_with_a_pair();
    for port in ["0", "65536", "99999", "18446744073709551617"] {
        let endpoint = format!("http://127.0.0.1:{port}");
        let run = verify_json(tmp.path(), &endpoint, &[]);
        assert_eq!(run.code, 2, "{endpoint}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        assert_eq!(
            run.stderr,
            format!(
                "keyleak: error: invalid value for --sts-endpoint: `{endpoint}`: the port must \
                 be from 1 to 65535\n"
            )
        );
    }
}

/// An error answer with a 60 KB message full of control characters (the adversary's
/// `huge_error_message`): each finding and the warning carry 200 characters of it, on one line.
#[test]
fn a_huge_error_message_is_cut_short_and_kept_on_one_line() {
    let message = format!("x\x1b[2J\n::error::forged\r{}", "M".repeat(60_000));
    let body = format!(
        "<ErrorResponse><Error><Code>Throttling</Code><Message>{message}</Message></Error>\
         </ErrorResponse>"
    );
    let sts = StandIn::start(Reply::Status(400, Box::leak(body.into_boxed_str())));
    let tmp = tempfile::tempdir().unwrap();
    let (key, secret) = (fake_key("AKIA"), fake_secret());
    for name in ["a.env", "b.env"] {
        std::fs::write(tmp.path().join(name), env_file(&key, &secret)).unwrap();
    }
    let run = verify_json(tmp.path(), &sts.endpoint, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let shown = format!("x\u{fffd}[2J ::error::forged {}…", "M".repeat(178));
    assert_eq!(shown.chars().count(), 201);
    let detail = format!("STS answered Throttling: {shown}");
    assert_eq!(run.findings().len(), 2);
    for f in run.findings() {
        assert_eq!(f["verified"], "error");
        assert_eq!(f["verified_detail"], detail.as_str());
    }
    assert_eq!(
        run.stderr,
        format!(
            "keyleak: warning: --verify: could not verify {key} (risk left as found): {detail}\n"
        )
    );
    assert_eq!(sts.requests().len(), 1);
}

#[test]
fn every_format_shows_the_answer() {
    let sts = StandIn::start(Reply::Active);
    let (tmp, _) = tree_with_a_pair();
    let run_format = |format: &str| {
        let run = verify_as(format, tmp.path(), &sts.endpoint, &[]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        run.stdout
    };
    let sarif: Value = serde_json::from_str(&run_format("sarif")).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&sarif));
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["verified"], "active");
    assert_eq!(
        result["properties"]["verified_arn"],
        "arn:aws:iam::123456789012:user/stand-in"
    );
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("verified: ACTIVE as arn:aws:iam::123456789012:user/stand-in")
    );
    let github = run_format("github");
    assert!(
        github
            .contains(". verified: ACTIVE as arn:aws:iam::123456789012:user/stand-in. Now: ACTIVE"),
        "{github}"
    );
    let jsonl = run_format("jsonl");
    let line: Value = serde_json::from_str(jsonl.trim()).unwrap();
    assert_eq!(line["verified"], "active");
    let human = run_format("human");
    assert!(
        human.contains("  = verified: ACTIVE as arn:aws:iam::123456789012:user/stand-in\n"),
        "{human}"
    );
    assert!(
        human.contains("verified: 1 active, 0 invalid, 0 expired, 0 error\n"),
        "{human}"
    );
    assert_eq!(sts.requests().len(), 4, "one request per run");
}

#[test]
fn an_ended_session_is_expired_and_low() {
    let sts = StandIn::start(Reply::Status(
        403,
        "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>\
         <Message>The security token included in the request is expired</Message></Error>\
         </ErrorResponse>",
    ));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(ROOT).join("testdata/positive/sts/assume-role.json"),
        tmp.path().join("assume-role.json"),
    )
    .unwrap();
    let run = verify_json(tmp.path(), &sts.endpoint, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = &run.findings()[0];
    assert_eq!(f["verified"], "expired", "{f:#}");
    assert_eq!(
        f["verified_detail"],
        "ExpiredToken: The security token included in the request is expired"
    );
    assert_eq!(f["risk"], "low", "was medium before the answer");
    assert!(
        f["advice"]["first_step"]
            .as_str()
            .unwrap()
            .starts_with("Expired")
    );
    assert!(
        run.stderr.is_empty(),
        "an answer is no warning: {}",
        run.stderr
    );
}

/// An answer carrying terminal escapes and a newline with a workflow command (the adversary's
/// `active_esc`): no format writes them raw, GitHub's output stays one line per finding, and
/// JSON keeps the answer as escapes.
#[test]
fn control_characters_in_an_answer_never_reach_the_output_raw() {
    const HOSTILE: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult>\
        <UserId>\x1b[2J\x1b]0;pwned\x07</UserId><Account>123456789012</Account>\
        <Arn>arn:aws:iam::123456789012:user/x\x1b[31m\n::error file=a::forged\n</Arn>\
        </GetCallerIdentityResult></GetCallerIdentityResponse>";
    let sts = StandIn::start(Reply::Status(200, HOSTILE));
    let (tmp, _) = tree_with_a_pair();
    for format in ["human", "json", "jsonl", "sarif", "github"] {
        let run = verify_as(format, tmp.path(), &sts.endpoint, &[]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let raw = text.chars().find(|&c| c.is_control() && c != '\n');
            assert!(raw.is_none(), "{format} {what} writes {raw:?}:\n{text}");
        }
        if format == "github" {
            assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
            assert!(
                run.stdout
                    .contains("user/x\\x1b[31m\\n::error file=a::forged. Now:")
            );
        }
        if format == "human" {
            assert!(
                run.stdout.contains(
                    "  = verified: ACTIVE as arn:aws:iam::123456789012:user/x\\x1b[31m\\n::error file=a::forged\n"
                ),
                "{}",
                run.stdout
            );
        }
    }
    let run = verify_json(tmp.path(), &sts.endpoint, &[]);
    let arn = &run.findings()[0]["verified_arn"];
    assert_eq!(
        arn,
        "arn:aws:iam::123456789012:user/x\x1b[31m\n::error file=a::forged"
    );
}
