//! JSON values written as HCL (`jsonencode({...})`'s argument) and as block YAML, each with a
//! hook that writes chosen strings as an expression instead (`aws_iam_openid_connect_provider
//! .x.arn`, `!Ref Provider`). Strings are always quoted, so no value reads as another type.

use serde_json::Value;

/// A string that starts with this is written as the expression that follows, in either
/// language (`var.x`, `!Ref X`): for values the caller builds, never for read ones.
pub const EXPR: char = '\u{0}';

/// Writes a string as an expression of the target language instead of a quoted string.
pub type Raw<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `value` as an HCL expression, nested lines indented from `indent`.
pub fn hcl(value: &Value, indent: usize, raw: Raw<'_>) -> String {
    let pad = " ".repeat(indent + 2);
    match value {
        Value::String(s) => expr(s, raw).unwrap_or_else(|| hcl_string(s)),
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            let items: Vec<String> = items.iter().map(|v| hcl(v, indent, raw)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|v| format!("{pad}{},\n", hcl(v, indent + 2, raw)))
                .collect();
            format!("[\n{}{}]", items.concat(), " ".repeat(indent))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}{} = {}\n", hcl_string(k), hcl(v, indent + 2, raw)))
                .collect();
            format!("{{\n{}{}}}", items.concat(), " ".repeat(indent))
        }
        other => other.to_string(),
    }
}

fn expr(s: &str, raw: Raw<'_>) -> Option<String> {
    match s.strip_prefix(EXPR) {
        Some(e) => Some(e.to_string()),
        None => raw(s),
    }
}

/// A quoted HCL string: `${` and `%{` would start a template, so they are doubled.
pub fn hcl_string(s: &str) -> String {
    let json = serde_json::to_string(s).expect("a string serialises");
    json.replace("${", "$${").replace("%{", "%%{")
}

/// `value` (an object) as block YAML, each line indented by `indent`.
pub fn yaml(value: &Value, indent: usize, raw: Raw<'_>) -> String {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{pad}{}:{}", yaml_key(k), yaml_child(v, indent, raw)))
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::Object(_) | Value::Array(_) if !is_empty(v) => {
                    let inner = yaml(v, indent + 2, raw);
                    format!("{pad}- {}", &inner[indent + 2..])
                }
                _ => format!("{pad}- {}\n", yaml_scalar(v, raw)),
            })
            .collect(),
        scalar => format!("{pad}{}\n", yaml_scalar(scalar, raw)),
    }
}

/// What follows `key:`: a scalar on the same line, a collection on the lines below.
fn yaml_child(value: &Value, indent: usize, raw: Raw<'_>) -> String {
    match value {
        Value::Object(_) | Value::Array(_) if !is_empty(value) => {
            format!("\n{}", yaml(value, indent + 2, raw))
        }
        scalar => format!(" {}\n", yaml_scalar(scalar, raw)),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn yaml_scalar(value: &Value, raw: Raw<'_>) -> String {
    match value {
        // JSON's string escapes are a subset of YAML's double-quoted ones.
        Value::String(s) => expr(s, raw).unwrap_or_else(|| value.to_string()),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
        other => other.to_string(),
    }
}

/// A mapping key: plain when it is a simple word, else quoted.
fn yaml_key(key: &str) -> String {
    match !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        true => key.to_string(),
        false => serde_json::to_string(key).expect("a string serialises"),
    }
}
