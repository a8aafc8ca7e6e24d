//! `--verify` against a real STS implementation: the moto server (PyPI `moto[server]`) on
//! 127.0.0.1, with signature checking on (`INITIAL_NO_AUTH_ACTION_COUNT`). moto recomputes
//! each request's SigV4 signature with botocore, so `active` here also proves keyleak signs
//! as AWS's SDKs do. Users, keys and roles are made by `moto_helper.py` through boto3.
//!
//! `scripts/test.sh` installs moto and sets `KEYLEAK_REQUIRE_MOTO=1`, so in CI a missing
//! moto fails these tests instead of skipping them. Nothing here leaves 127.0.0.1.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{ROOT, Run, scan_in, tool_runs, tree_of};

/// Requests moto_helper.py's `setup` makes before signatures are checked.
const SETUP_CALLS: &str = "4";

/// A moto server on a free loopback port, killed when dropped. `role_setup` uses it too.
pub struct Moto {
    child: Child,
    endpoint: String,
    /// Where moto's own log goes, shown when a test fails.
    _log: tempfile::NamedTempFile,
}

impl Moto {
    /// `None` (the test is skipped) when moto is not installed and not required. Signatures
    /// are checked after `moto_helper.py setup`.
    fn start() -> Option<Moto> {
        Moto::start_with(Some(SETUP_CALLS))
    }

    /// A server that never checks signatures: for tests of IAM documents, not of keys.
    pub fn start_open() -> Option<Moto> {
        Moto::start_with(None)
    }

    /// `no_auth_calls`: how many requests moto takes before it checks signatures; `None`,
    /// never checked.
    fn start_with(no_auth_calls: Option<&str>) -> Option<Moto> {
        if !tool_runs(
            "moto_server",
            &["--help"],
            "KEYLEAK_REQUIRE_MOTO",
            "moto[server]",
        ) {
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut command = Command::new("moto_server");
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_remove("INITIAL_NO_AUTH_ACTION_COUNT")
            .stdout(Stdio::from(log.reopen().unwrap()))
            .stderr(Stdio::from(log.reopen().unwrap()));
        if let Some(calls) = no_auth_calls {
            command.env("INITIAL_NO_AUTH_ACTION_COUNT", calls);
        }
        let child = command.spawn().expect("moto_server starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _log: log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Runs `moto_helper.py ENDPOINT ARGS`; its stdout is JSON.
    pub fn helper(&self, args: &[&str]) -> Value {
        let out = Command::new("python3")
            .arg(Path::new(ROOT).join("tests/cli/moto_helper.py"))
            .arg(&self.endpoint)
            .args(args)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "moto_helper.py {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("helper prints JSON")
    }

    fn scan(&self, dir: &Path) -> Run {
        scan_in(
            dir,
            &[
                "--format",
                "json",
                "--verify",
                "--sts-endpoint",
                &self.endpoint,
                ".",
            ],
        )
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s(v: &Value) -> &str {
    v.as_str().expect("a string")
}

fn only(run: &Run) -> Value {
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:#?}\n{}", run.stderr);
    findings[0].clone()
}

#[test]
fn a_live_user_key_is_active_then_invalid_once_deleted_then_unknown_when_sts_is_down() {
    let Some(moto) = Moto::start() else { return };
    let user = moto.helper(&["setup"]);
    let (key, secret) = (s(&user["key_id"]), s(&user["secret"]));
    let tmp = tree_of(&[(
        "deploy.env",
        &format!("AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n"),
    )]);

    let run = moto.scan(tmp.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only(&run);
    assert_eq!(f["key_id"], key);
    assert_eq!(f["verified"], "active", "{f:#}\n{}", run.stderr);
    assert_eq!(f["verified_arn"], "arn:aws:iam::123456789012:user/leaky-ci");
    assert_eq!(f["verified_account"], "123456789012");
    assert_eq!(f["risk"], "critical");
    assert!(
        s(&f["advice"]["first_step"])
            .contains("Deactivate it now: `aws iam update-access-key --status Inactive"),
        "{f:#}"
    );
    assert_eq!(run.json()["summary"]["verified"]["active"], 1);
    let human = scan_in(
        tmp.path(),
        &["--verify", "--sts-endpoint", &moto.endpoint, "."],
    );
    assert!(
        human
            .stdout
            .contains("verified: ACTIVE as arn:aws:iam::123456789012:user/leaky-ci")
            && human
                .stdout
                .contains("ACTIVE: 1 long-term key works right now: deactivate it first"),
        "{}",
        human.stdout
    );

    moto.helper(&["delete", key, secret]);
    let run = moto.scan(tmp.path());
    assert_eq!(
        run.code, 1,
        "low still fails the default --fail-on: {}",
        run.stderr
    );
    let f = only(&run);
    assert_eq!(f["verified"], "invalid", "{f:#}");
    assert!(
        s(&f["verified_detail"]).starts_with("InvalidClientTokenId: "),
        "{f:#}"
    );
    assert!(f.get("verified_arn").is_none());
    assert_eq!(f["risk"], "low");
    assert!(s(&f["advice"]["first_step"]).starts_with("STS rejects this key"));

    // The endpoint gone: the answer is unknown, the finding stays as found, the scan ends.
    let endpoint = moto.endpoint.clone();
    drop(moto);
    let run = scan_in(
        tmp.path(),
        &[
            "--format",
            "json",
            "--verify",
            "--sts-endpoint",
            &endpoint,
            ".",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only(&run);
    assert_eq!(
        (s(&f["verified"]), s(&f["risk"])),
        ("error", "critical"),
        "{f:#}"
    );
    assert!(
        run.stderr
            .contains(&format!("keyleak: warning: --verify: could not verify {key} (risk left as found): no answer from {endpoint}/")),
        "{}",
        run.stderr
    );
}

#[test]
fn the_wrong_secret_for_a_live_key_is_invalid_and_keeps_its_risk() {
    let Some(moto) = Moto::start() else { return };
    let user = moto.helper(&["setup"]);
    let key = s(&user["key_id"]);
    // Same length and alphabet as a real secret, but not this key's.
    let wrong: String = s(&user["secret"]).chars().rev().collect();
    let tmp = tree_of(&[(
        "deploy.env",
        &format!("AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={wrong}\n"),
    )]);
    let run = moto.scan(tmp.path());
    let f = only(&run);
    assert_eq!(f["verified"], "invalid", "{f:#}");
    assert!(s(&f["verified_detail"]).starts_with("the key ID exists, but the secret found with it is not its secret (SignatureDoesNotMatch"), "{f:#}");
    assert_eq!(f["risk"], "critical");
}

#[test]
fn a_live_session_is_active_as_its_assumed_role() {
    let Some(moto) = Moto::start() else { return };
    let user = moto.helper(&["setup"]);
    let session = moto.helper(&["assume", s(&user["key_id"]), s(&user["secret"])]);
    let tmp = tree_of(&[(
        "session.env",
        &format!(
            "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\nAWS_SESSION_TOKEN={}\n",
            s(&session["key_id"]),
            s(&session["secret"]),
            s(&session["token"])
        ),
    )]);
    let run = moto.scan(tmp.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only(&run);
    assert_eq!(f["kind"], "aws_temporary_access_key");
    assert_eq!(f["has_session_token"], true);
    assert_eq!(f["verified"], "active", "{f:#}");
    assert_eq!(f["verified_arn"], session["arn"]);
    assert_eq!(
        f["verified_arn"],
        "arn:aws:sts::123456789012:assumed-role/deployer/ci-job"
    );
    assert_eq!(
        f["risk"], "high",
        "an active session outranks a medium temporary key"
    );
}
