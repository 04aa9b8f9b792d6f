//! Parse, don't validate: input values become stored data only through these functions, and
//! every failure names the input field and says why, in German.

use crate::{InputError, InputResult as Result};

fn bad_input(field: &str, message: impl Into<String>) -> InputError {
    InputError::new(field, message)
}

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 2_000;
pub const MAX_TAGS: usize = 30;
pub const MAX_TAG: usize = 50;
/// No Kita in Rheinland-Pfalz comes near this; larger numbers are typing errors.
pub const MAX_PLACES: i32 = 1_000;

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn name(field: &str, raw: &str) -> Result<String> {
    let v = clean(raw);
    if v.is_empty() {
        return Err(bad_input(field, "Der Name darf nicht leer sein."));
    }
    if v.chars().count() > MAX_NAME {
        return Err(bad_input(
            field,
            format!("Der Name ist zu lang (höchstens {MAX_NAME} Zeichen)."),
        ));
    }
    Ok(v)
}

/// Optional free text: blank becomes absent.
pub fn text(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > MAX_TEXT {
        return Err(bad_input(
            field,
            format!("Der Text ist zu lang (höchstens {MAX_TEXT} Zeichen)."),
        ));
    }
    Ok(Some(v.to_owned()))
}

pub fn short_text(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    let v = raw.map(clean).filter(|s| !s.is_empty());
    if let Some(s) = &v {
        if s.chars().count() > MAX_NAME {
            return Err(bad_input(
                field,
                format!("Die Angabe ist zu lang (höchstens {MAX_NAME} Zeichen)."),
            ));
        }
    }
    Ok(v)
}

pub fn postal_code(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    let v = raw.map(str::trim).filter(|s| !s.is_empty());
    match v {
        None => Ok(None),
        Some(s) if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(s.to_owned())),
        Some(s) => Err(bad_input(
            field,
            format!("„{s}“ ist keine Postleitzahl (fünf Ziffern erwartet)."),
        )),
    }
}

pub fn places(field: &str, n: i32) -> Result<i32> {
    if n < 0 {
        return Err(bad_input(
            field,
            format!("Die Zahl der Plätze darf nicht negativ sein (angegeben: {n})."),
        ));
    }
    if n > MAX_PLACES {
        return Err(bad_input(
            field,
            format!("{n} Plätze sind unplausibel (höchstens {MAX_PLACES})."),
        ));
    }
    Ok(n)
}

pub fn places_under3(field: &str, under3: i32, places: i32) -> Result<i32> {
    let n = self::places(field, under3)?;
    if n > places {
        return Err(bad_input(
            field,
            format!("Es gibt mehr Plätze unter drei Jahren ({n}) als Plätze insgesamt ({places})."),
        ));
    }
    Ok(n)
}

pub fn tags(field: &str, raw: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let v = clean(t);
        if v.is_empty() {
            return Err(bad_input(
                &format!("{field}.{i}"),
                "Ein Schlagwort darf nicht leer sein.",
            ));
        }
        if v.chars().count() > MAX_TAG {
            return Err(bad_input(
                &format!("{field}.{i}"),
                format!("Das Schlagwort ist zu lang (höchstens {MAX_TAG} Zeichen)."),
            ));
        }
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(bad_input(
            field,
            format!("Höchstens {MAX_TAGS} Schlagwörter."),
        ));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_cleaned_or_refused_with_its_field() {
        assert_eq!(
            name("input.name", "  Kita   Regenbogen ").unwrap(),
            "Kita Regenbogen"
        );
        assert_eq!(name("input.name", "  ").unwrap_err().field, "input.name");
        assert_eq!(
            postal_code("p", Some("56068")).unwrap().as_deref(),
            Some("56068")
        );
        assert!(postal_code("p", Some("5606")).is_err());
        assert_eq!(places_under3("u", 12, 10).unwrap_err().field, "u");
        let t = tags("t", &["b".into(), "a".into(), "b".into()]).unwrap();
        assert_eq!(t, ["a", "b"]);
        assert_eq!(tags("t", &["".into()]).unwrap_err().field, "t.0");
    }
}
