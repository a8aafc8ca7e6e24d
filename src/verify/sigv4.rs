//! AWS Signature Version 4 for one signed request: the canonical request, the string to sign,
//! the derived signing key and the `Authorization` header.
//!
//! Owns the signing arithmetic only, checked against AWS's published SigV4 test suite below.
//! It builds no HTTP and knows nothing of STS: `super::sts` decides what is signed. Only
//! header signing (no presigned query strings), and only the canonical forms keyleak's
//! requests need: the path and query are passed in already canonical.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// What the signature is scoped to.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// `YYYYMMDDTHHMMSSZ`, the same value as the `x-amz-date` header.
    pub amz_date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl Scope<'_> {
    fn date(&self) -> &str {
        &self.amz_date[..self.amz_date.len().min(8)]
    }

    fn credential_scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date(),
            self.region,
            self.service
        )
    }
}

/// A request as it will be sent. Header names may be in any case; every header given is
/// signed, so pass exactly those the server will see (host and x-amz-date among them).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// Already URI-encoded, e.g. `/`.
    pub path: &'a str,
    /// Already canonical: `name=value` pairs, encoded and sorted, joined by `&`.
    pub query: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The pieces of a signature, kept apart so tests can check each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    /// `host;x-amz-date;...`: lower-case, sorted.
    pub signed_headers: String,
    /// 64 lower-case hex digits.
    pub signature: String,
    /// The whole `Authorization` header value.
    pub authorization: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The signing key: four chained HMACs over date, region, service and `aws4_request`.
pub fn signing_key(secret: &str, scope: &Scope<'_>) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), scope.date().as_bytes());
    let k_region = hmac(&k_date, scope.region.as_bytes());
    let k_service = hmac(&k_region, scope.service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Header values are trimmed and inner runs of spaces collapsed to one, as SigV4 requires.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Signs `request` with the key pair `key_id`/`secret` for `scope`.
pub fn sign(key_id: &str, secret: &str, scope: &Scope<'_>, request: &Request<'_>) -> Signed {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), canonical_value(v)))
        .collect();
    headers.sort();
    // Repeated names become one line, values joined by commas in the order given.
    let mut merged: Vec<(String, String)> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        match merged.last_mut() {
            Some((last, joined)) if *last == name => {
                joined.push(',');
                joined.push_str(&value);
            }
            _ => merged.push((name, value)),
        }
    }
    let canonical_headers: String = merged.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = merged
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        request.path,
        request.query,
        canonical_headers,
        signed_headers,
        sha256_hex(request.body)
    );
    let credential_scope = scope.credential_scope();
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{}\n{}",
        scope.amz_date,
        credential_scope,
        sha256_hex(canonical_request.as_bytes())
    );
    let signature = hex(&hmac(
        &signing_key(secret, scope),
        string_to_sign.as_bytes(),
    ));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={key_id}/{credential_scope}, \
         SignedHeaders={signed_headers}, Signature={signature}"
    );
    Signed {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// Formats Unix seconds as SigV4's `YYYYMMDDTHHMMSSZ`: RFC 3339 in UTC without separators.
pub fn amz_date(unix: i64) -> String {
    crate::model::commit::rfc3339(unix, 0)
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect()
}

#[cfg(test)]
mod tests {
    //! The vectors are AWS's SigV4 test suite (`aws-sig-v4-test-suite`, the credentials and
    //! date every case there uses); each expected value is AWS's published one.
    use super::*;

    const KEY_ID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20150830T123600Z";
    const SCOPE: Scope<'static> = Scope {
        amz_date: DATE,
        region: "us-east-1",
        service: "service",
    };
    const HOST: (&str, &str) = ("Host", "example.amazonaws.com");
    const X_AMZ_DATE: (&str, &str) = ("X-Amz-Date", DATE);

    fn suite(method: &str, query: &str, headers: &[(&str, &str)], body: &[u8]) -> Signed {
        let request = Request {
            method,
            path: "/",
            query,
            headers,
            body,
        };
        sign(KEY_ID, SECRET, &SCOPE, &request)
    }

    #[test]
    fn get_vanilla() {
        let s = suite("GET", "", &[HOST, X_AMZ_DATE], b"");
        assert_eq!(
            s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn get_vanilla_query_order_key_case() {
        let s = suite(
            "GET",
            "Param1=value1&Param2=value2",
            &[HOST, X_AMZ_DATE],
            b"",
        );
        assert_eq!(
            s.signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    #[test]
    fn post_x_www_form_urlencoded() {
        let content_type = ("Content-Type", "application/x-www-form-urlencoded");
        let s = suite(
            "POST",
            "",
            &[content_type, HOST, X_AMZ_DATE],
            b"Param1=value1",
        );
        assert_eq!(s.signed_headers, "content-type;host;x-amz-date");
        assert!(
            s.string_to_sign
                .ends_with("\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281")
        );
        assert_eq!(
            s.signature,
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        );
    }

    #[test]
    fn post_sts_header_before() {
        // The session token is a signed header, as keyleak sends it for temporary keys.
        let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
        let s = suite(
            "POST",
            "",
            &[HOST, X_AMZ_DATE, ("X-Amz-Security-Token", token)],
            b"",
        );
        assert_eq!(s.signed_headers, "host;x-amz-date;x-amz-security-token");
        assert!(
            s.string_to_sign
                .ends_with("\nc237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6")
        );
        assert_eq!(
            s.signature,
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        );
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed_and_repeats_joined() {
        let s = suite(
            "GET",
            "",
            &[
                HOST,
                ("My-Header1", "  a   b  "),
                ("my-header1", "c"),
                X_AMZ_DATE,
            ],
            b"",
        );
        assert!(
            s.canonical_request.contains("\nmy-header1:a b,c\n"),
            "{}",
            s.canonical_request
        );
        assert_eq!(s.signed_headers, "host;my-header1;x-amz-date");
    }

    #[test]
    fn amz_dates() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(1_440_938_160), DATE);
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(amz_date(1_795_441_599), "20261123T134639Z");
    }
}
