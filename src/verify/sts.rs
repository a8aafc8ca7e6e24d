//! One STS `GetCallerIdentity` call: the endpoint it goes to, the signed request, and what the
//! answer means.
//!
//! Owns the wire format (a form-encoded POST, an XML answer) and the mapping of STS's answers
//! to a [`Verification`]. It never retries, never follows redirects (a credential goes to the
//! endpoint named and nowhere else) and never logs what it sends. Choosing which credentials
//! to send is `super`'s job.

use std::time::Duration;

use super::sigv4::{self, Scope};
use crate::model::verification::{Status, Verification};

/// STS's error code for a key ID it does not know, or one that is inactive.
pub const UNKNOWN_KEY: &str = "InvalidClientTokenId";

/// The form body of the call; the API version is STS's only one.
const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
/// STS answers in well under a kilobyte; anything past this is not STS.
const MAX_ANSWER: u64 = 64 * 1024;
/// Characters kept of an error code or message (STS's are one short sentence), or of a
/// transport error: each is copied into every finding of the credential and a warning.
pub const MAX_MESSAGE_CHARS: usize = 200;
/// Characters kept of an ARN, user ID or account: IAM's own limit for an ARN.
const MAX_IDENTITY_CHARS: usize = 2048;

/// Where verification requests go, parsed and checked once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// What the request is sent to: scheme, authority and `/`.
    pub url: String,
    /// The `Host` header, signed: the authority without a default port.
    pub host: String,
    /// The signing region: from an AWS host name (`sts.eu-west-1.amazonaws.com`), else
    /// `us-east-1`, as for the global endpoint.
    pub region: String,
    /// The host is 127.0.0.1, ::1 or localhost.
    pub loopback: bool,
}

impl Endpoint {
    /// Parses `--sts-endpoint`. Plain `http` is accepted only for loopback hosts (a local STS
    /// such as moto): a credential never crosses a network unencrypted.
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("`{text}` is not a URL: expected https://HOST[:PORT]"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => "443",
            "http" => "80",
            _ => {
                return Err(format!(
                    "`{text}`: only https (or http to loopback) is supported"
                ));
            }
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!(
                "`{text}`: give the endpoint alone (https://HOST[:PORT]), no path, query or user"
            ));
        }
        let authority = authority.to_ascii_lowercase();
        let (host_name, port) =
            split_port(&authority).ok_or_else(|| format!("`{text}`: the port is not a number"))?;
        if port.is_some_and(|p| !matches!(p.parse::<u16>(), Ok(1..))) {
            return Err(format!("`{text}`: the port must be from 1 to 65535"));
        }
        if host_name.is_empty() {
            return Err(format!("`{text}` names no host"));
        }
        let loopback = is_loopback(host_name);
        if scheme == "http" && !loopback {
            return Err(format!(
                "`{text}`: plain http would send the credential unencrypted; it is allowed \
                 only to a loopback host (127.0.0.1, ::1, localhost)"
            ));
        }
        let host = match port {
            Some(p) if p != default_port => format!("{host_name}:{p}"),
            _ => host_name.to_string(),
        };
        Ok(Endpoint {
            url: format!("{scheme}://{host}/"),
            region: region_of(host_name).unwrap_or("us-east-1").to_string(),
            host,
            loopback,
        })
    }
}

/// `host[:port]`, with IPv6 literals in brackets; `None` when the port is not a number.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let colon = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => i,
        _ => return Some((authority, None)),
    };
    let port = &authority[colon + 1..];
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        .then_some((&authority[..colon], Some(port)))
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The region an AWS STS host name signs in: the label after `sts` or `sts-fips`
/// (`sts.eu-west-1.amazonaws.com`, `vpce-1.sts.us-west-2.vpce.amazonaws.com`).
fn region_of(host: &str) -> Option<&str> {
    let labels: Vec<&str> = host.split('.').collect();
    let at = labels
        .iter()
        .position(|l| *l == "sts" || *l == "sts-fips")?;
    let region = labels.get(at + 1)?;
    let looks_like_region = region.split('-').count() >= 3
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (looks_like_region && labels.len() > at + 2).then_some(region)
}

/// A key pair (and session token) to check. Borrowed: nothing here keeps or prints it.
#[derive(Debug, Clone, Copy)]
pub struct Credential<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
    pub token: Option<&'a str>,
}

/// An HTTP client configured for verification: a global timeout, no redirects, answers of
/// every status read rather than turned into errors. Proxies come from the environment
/// (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, ...), except for a loopback endpoint, which is
/// always reached directly.
pub fn agent(endpoint: &Endpoint, timeout: Duration) -> ureq::Agent {
    let proxy = if endpoint.loopback {
        None
    } else {
        ureq::Proxy::try_from_env()
    };
    ureq::Agent::config_builder()
        .proxy(proxy)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("keyleak/", env!("CARGO_PKG_VERSION"), " (verify)"))
        .build()
        .new_agent()
}

/// Signs and sends one `GetCallerIdentity` at `now` (Unix seconds). Never fails: a transport
/// problem is a [`Status::Error`] whose detail says what went wrong.
pub fn get_caller_identity(
    agent: &ureq::Agent,
    endpoint: &Endpoint,
    credential: Credential<'_>,
    now: i64,
) -> Verification {
    let amz_date = sigv4::amz_date(now);
    let mut headers = vec![
        ("content-type", CONTENT_TYPE),
        ("host", endpoint.host.as_str()),
        ("x-amz-date", amz_date.as_str()),
    ];
    if let Some(token) = credential.token {
        headers.push(("x-amz-security-token", token));
    }
    let scope = Scope {
        amz_date: &amz_date,
        region: &endpoint.region,
        service: "sts",
    };
    let signed = sigv4::sign(
        credential.key_id,
        credential.secret,
        &scope,
        &sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: BODY.as_bytes(),
        },
    );
    let mut request = agent.post(&endpoint.url);
    for (name, value) in &headers {
        request = request.header(*name, *value);
    }
    let answer = request
        .header("authorization", &signed.authorization)
        .send(BODY)
        .and_then(|mut response| {
            let status = response.status().as_u16();
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_ANSWER)
                .lossy_utf8(true)
                .read_to_string()?;
            Ok((status, body))
        });
    match answer {
        Ok((status, body)) => interpret(status, &body),
        Err(e) => Verification::error(format!(
            "no answer from {}: {}",
            endpoint.url,
            message(&e.to_string())
        )),
    }
}

/// What an STS answer means. STS's error codes: `InvalidClientTokenId` (no such key, or it
/// is inactive), `SignatureDoesNotMatch` (the key exists, the secret is not its secret),
/// `ExpiredToken` (a session that has ended).
pub fn interpret(status: u16, body: &str) -> Verification {
    if status == 200 {
        let identity = |tag| xml_text(body, tag).map(|t| capped(&t, MAX_IDENTITY_CHARS));
        let arn = identity("Arn");
        if arn.is_none() {
            return Verification::error("STS answered 200 without an Arn: not an STS endpoint?");
        }
        return Verification {
            status: Status::Active,
            arn,
            account: identity("Account"),
            user_id: identity("UserId"),
            code: None,
            detail: None,
        };
    }
    let said = |tag| message(&xml_text(body, tag).unwrap_or_default());
    let (code, message) = (said("Code"), said("Message"));
    let said = if code.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("{code}: {message}")
    };
    let status = match code.as_str() {
        UNKNOWN_KEY | "SignatureDoesNotMatch" => Status::Invalid,
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => Status::Expired,
        _ => return Verification::error(format!("STS answered {said}")),
    };
    let detail = match code.as_str() {
        "SignatureDoesNotMatch" => {
            format!("the key ID exists, but the secret found with it is not its secret ({said})")
        }
        _ => said,
    };
    Verification {
        status,
        arn: None,
        account: None,
        user_id: None,
        code: Some(code),
        detail: Some(detail),
    }
}

/// Text from the endpoint as a detail: control characters (a newline, an ESC sequence)
/// replaced, so it stays one line, and [`MAX_MESSAGE_CHARS`] at most.
fn message(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| match c {
            c if c.is_whitespace() && c.is_control() => ' ',
            c if c.is_control() => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect();
    capped(&one_line, MAX_MESSAGE_CHARS)
}

/// `text`, cut after `max` characters with `…` when longer.
fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The text of the first `<tag>…</tag>` in `xml`, entities decoded. STS answers are flat and
/// small; a full XML parser would add nothing.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    let raw = xml[start..end].trim();
    Some(
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests;
