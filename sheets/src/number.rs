//! Numbers as German software writes them: decimal comma, thousands dots or spaces, percent
//! signs. Every rejection says why, in German, for the import report.

use rust_decimal::Decimal;

/// A number read from a cell, and whether it was written as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    /// The value; a percentage is already divided by 100 (`12,5 %` is 0.125).
    pub value: Decimal,
    pub percent: bool,
}

/// Reads `1.234,5`, `1234,5`, `-3`, `12,5 %`, `12,5%`, `1 234`, `0,125`. A dot without a comma
/// is a thousands separator only in groups of three (`1.234` is 1234); anything else with a dot
/// (`1.5`) is refused as ambiguous rather than guessed.
pub fn parse_german(text: &str) -> Result<Number, String> {
    let original = text.trim();
    if original.is_empty() {
        return Err("leere Zelle".into());
    }
    let (body, percent) = match original.strip_suffix('%') {
        Some(rest) => (rest.trim_end(), true),
        None => (original, false),
    };
    // Thin and non-breaking spaces as thousands separators, as spreadsheets export them.
    let body: String = body
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (sign, digits) = match body.strip_prefix('-').or_else(|| body.strip_prefix('−')) {
        Some(rest) => ("-", rest),
        None => ("", body.strip_prefix('+').unwrap_or(&body)),
    };
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(format!("„{original}“ ist keine Zahl"));
    }
    let (whole, fraction) = match digits.split_once(',') {
        Some((w, f)) => {
            if f.contains(',') || f.contains('.') {
                return Err(format!("„{original}“ ist keine Zahl (mehrere Kommas)"));
            }
            (w, Some(f))
        }
        None => (digits, None),
    };
    if whole.contains('.') {
        let groups: Vec<&str> = whole.split('.').collect();
        let grouped = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !grouped {
            return Err(format!(
                "„{original}“ ist mehrdeutig: Dezimalstellen bitte mit Komma trennen (z. B. 1,5)"
            ));
        }
    }
    let whole: String = whole.chars().filter(|c| *c != '.').collect();
    if whole.is_empty() && fraction.is_none_or(str::is_empty) {
        return Err(format!("„{original}“ ist keine Zahl"));
    }
    let canonical = match fraction {
        Some(f) if !f.is_empty() => {
            format!("{sign}{}.{f}", if whole.is_empty() { "0" } else { &whole })
        }
        _ => format!("{sign}{whole}"),
    };
    let mut value: Decimal = canonical
        .parse()
        .map_err(|_| format!("„{original}“ ist zu groß oder zu genau"))?;
    if percent {
        value /= Decimal::ONE_HUNDRED;
    }
    Ok(Number {
        value: value.normalize(),
        percent,
    })
}

/// A number from a spreadsheet's binary cell: Excel stores doubles, so `0.1` arrives as
/// 0.1000000000000000055…; the shortest decimal that reads back as the same double is what the
/// user typed.
pub fn from_spreadsheet(value: f64) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err("ungültige Zahl".into());
    }
    // Rust prints the shortest representation that round-trips.
    let text = format!("{value}");
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&format!("{value:e}")))
        .map(|d| d.normalize())
        .map_err(|_| format!("{value} ist zu groß"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> (String, bool) {
        let n = parse_german(text).unwrap();
        (n.value.to_string(), n.percent)
    }

    #[test]
    fn german_numbers() {
        assert_eq!(ok("1.234,5"), ("1234.5".into(), false));
        assert_eq!(ok("1234,5"), ("1234.5".into(), false));
        assert_eq!(ok("1.234.567"), ("1234567".into(), false));
        assert_eq!(ok("1 234"), ("1234".into(), false));
        assert_eq!(ok("1\u{a0}234,25"), ("1234.25".into(), false));
        assert_eq!(ok("-3"), ("-3".into(), false));
        assert_eq!(ok("0,125"), ("0.125".into(), false));
        assert_eq!(ok(",5"), ("0.5".into(), false));
        assert_eq!(ok("12,5 %"), ("0.125".into(), true));
        assert_eq!(ok("12,5%"), ("0.125".into(), true));
        assert_eq!(ok(" 7 "), ("7".into(), false));
    }

    #[test]
    fn refusals_say_why() {
        assert!(parse_german("abc").unwrap_err().contains("keine Zahl"));
        assert!(parse_german("1.5").unwrap_err().contains("mehrdeutig"));
        assert!(parse_german("1.23,4").unwrap_err().contains("mehrdeutig"));
        assert!(parse_german("1,2,3")
            .unwrap_err()
            .contains("mehrere Kommas"));
        assert!(parse_german("").unwrap_err().contains("leer"));
        assert!(parse_german("%").unwrap_err().contains("keine Zahl"));
        assert!(parse_german("12 Kinder")
            .unwrap_err()
            .contains("keine Zahl"));
        assert!(parse_german("9".repeat(40).as_str())
            .unwrap_err()
            .contains("zu groß"));
    }

    #[test]
    fn spreadsheet_doubles_become_what_was_typed() {
        assert_eq!(from_spreadsheet(0.1).unwrap().to_string(), "0.1");
        assert_eq!(from_spreadsheet(0.125).unwrap().to_string(), "0.125");
        assert_eq!(from_spreadsheet(1234.0).unwrap().to_string(), "1234");
        assert_eq!(from_spreadsheet(1e-7).unwrap().to_string(), "0.0000001");
        assert!(from_spreadsheet(f64::NAN).is_err());
    }

    proptest::proptest! {
        #[test]
        fn what_german_software_writes_reads_back(cents in -10_000_000_000i64..10_000_000_000) {
            let d = Decimal::new(cents, 2);
            // Write it the German way: thousands dots, decimal comma.
            let s = format!("{:.2}", d.abs());
            let (whole, frac) = s.split_once('.').unwrap();
            let mut grouped = String::new();
            for (i, c) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i) % 3 == 0 {
                    grouped.push('.');
                }
                grouped.push(c);
            }
            let text = format!("{}{grouped},{frac}", if d.is_sign_negative() && !d.is_zero() { "-" } else { "" });
            proptest::prop_assert_eq!(parse_german(&text).unwrap().value, d);
        }
    }
}
