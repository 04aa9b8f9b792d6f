//! German number formats of the API's exact decimals (sent as strings): `12.345,67 €`,
//! `0,25`, `35,0 %`. Rounding for display is half away from zero on the decimal digits, never
//! through floating point, so a shown euro amount is the stored one.

use serde_json::Value;

/// `digits` after the comma, thousands grouped with `.`.
pub fn decimal(raw: &str, digits: u32) -> String {
    let Some((negative, units)) = scaled(raw, digits) else {
        return raw.to_owned();
    };
    let scale = 10u128.pow(digits);
    let whole = group(units / scale);
    let sign = if negative && units != 0 { "−" } else { "" };
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole},{:0width$}",
            units % scale,
            width = digits as usize
        )
    }
}

/// The value as a whole number of `10^-digits`, rounded half away from zero.
fn scaled(raw: &str, digits: u32) -> Option<(bool, u128)> {
    let raw = raw.trim();
    let (negative, rest) = match raw.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, raw),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || int.len() > 30
    {
        return None;
    }
    let mut units: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac_digits = frac.bytes().map(|b| (b - b'0') as u128);
    for _ in 0..digits {
        units = units * 10 + frac_digits.next().unwrap_or(0);
    }
    if frac_digits.next().is_some_and(|d| d >= 5) {
        units += 1;
    }
    Some((negative, units))
}

fn group(mut n: u128) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(".")
}

/// Euros with cents: `12.345,67 €`.
pub fn euro(raw: &str) -> String {
    format!("{} €", decimal(raw, 2))
}

/// A share (0..1) as percent with one digit: `35,0 %`.
pub fn percent(raw: &str) -> String {
    match raw.parse::<f64>() {
        // Shifting the decimal point is exact on the string; rounding happens in `decimal`.
        Ok(_) => format!("{} %", decimal(&shift2(raw), 1)),
        Err(_) => raw.to_owned(),
    }
}

/// The decimal times 100, on the digits.
fn shift2(raw: &str) -> String {
    let (negative, rest) = match raw.trim().strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, raw.trim()),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut frac = frac.to_owned();
    while frac.len() < 2 {
        frac.push('0');
    }
    let (moved, rest_frac) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let sign = if negative { "-" } else { "" };
    if rest_frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{rest_frac}")
    }
}

/// A decimal field of a JSON value as a string ("" when missing).
pub fn raw(v: &Value, key: &str) -> String {
    string_of(&v[key])
}

/// A decimal (or any string or number) as a string; "" for anything else.
pub fn string_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A change with its sign: `+1.200,00 €`, `−300,00 €`, `±0,00 €`.
pub fn signed_euro(raw: &str) -> String {
    let shown = euro(raw);
    if shown.starts_with('−') {
        shown
    } else if scaled(raw, 2).is_some_and(|(_, u)| u == 0) {
        format!("±{shown}")
    } else {
        format!("+{shown}")
    }
}

/// A number as people type it in German (`52.000.000`, `0,025`, `1.234,5`) or plainly
/// (`0.025`), as the API's decimal string; `None` when it is not a number.
pub fn parse_german(input: &str) -> Option<String> {
    let s: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (negative, body) = match s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
        Some(b) => (true, b.to_owned()),
        None => (false, s.clone()),
    };
    let grouped = |t: &str| {
        let parts: Vec<&str> = t.split('.').collect();
        parts.len() > 1
            && (1..=3).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 3)
    };
    let plain = if body.contains(',') {
        let (int, frac) = body.split_once(',')?;
        if int.contains('.') && !grouped(int) {
            return None;
        }
        format!("{}.{frac}", int.replace('.', ""))
    } else if body.matches('.').count() > 1 || (grouped(&body) && !body.starts_with("0.")) {
        if !grouped(&body) {
            return None;
        }
        body.replace('.', "")
    } else {
        body
    };
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) || plain.ends_with('.') {
        return None;
    }
    Some(format!("{}{plain}", if negative { "-" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_formats() {
        assert_eq!(euro("1234567.891"), "1.234.567,89 €");
        assert_eq!(euro("-0.005"), "−0,01 €");
        assert_eq!(euro("12"), "12,00 €");
        assert_eq!(decimal("0.25", 2), "0,25");
        assert_eq!(decimal("999.995", 2), "1.000,00");
        assert_eq!(percent("0.3456"), "34,6 %");
        assert_eq!(percent("1"), "100,0 %");
        assert_eq!(percent("0.05"), "5,0 %");
        assert_eq!(signed_euro("0"), "±0,00 €");
        assert_eq!(signed_euro("-300"), "−300,00 €");
        assert_eq!(signed_euro("1200.5"), "+1.200,50 €");
        assert_eq!(decimal("abc", 2), "abc");
        assert_eq!(parse_german("52.000.000").as_deref(), Some("52000000"));
        assert_eq!(parse_german("0,025").as_deref(), Some("0.025"));
        assert_eq!(parse_german("0.025").as_deref(), Some("0.025"));
        assert_eq!(parse_german("1.234,5").as_deref(), Some("1234.5"));
        assert_eq!(parse_german("-300").as_deref(), Some("-300"));
        assert_eq!(parse_german("12.34.5"), None);
        assert_eq!(parse_german("zwölf"), None);
        assert_eq!(parse_german(""), None);
    }
}
