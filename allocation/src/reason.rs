//! Why a Kita is (not) eligible for a pillar and how its share came about: structured, so the
//! platform can show which thresholds were met or missed, and written out in German by
//! `Display` only when someone reads it (not for every Kita of every run).

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    AllKitas,
    /// The Kita has no index (missing data, excluded by the policy).
    NoIndex,
    IndexAbove {
        index: Decimal,
        threshold: Decimal,
        met: bool,
    },
    IndexAboveMean {
        index: Decimal,
        mean: Decimal,
        met: bool,
    },
    /// Rank by index against the number of Kitas considered (top N or top share).
    Rank {
        rank: usize,
        of: usize,
        considered: usize,
        met: bool,
    },
    IndicatorAtLeast {
        indicator: Arc<str>,
        value: Decimal,
        threshold: Decimal,
        met: bool,
    },
    IndicatorMissing {
        indicator: Arc<str>,
    },
    FamilyCenter {
        met: bool,
    },
    BeRelevant {
        met: bool,
    },
    SocialSpace {
        space: Option<String>,
        met: bool,
    },
    Not {
        inner: Box<Reason>,
    },
    /// Every part of an `and` that held, or every part of an `or` that failed.
    Each {
        reasons: Vec<Reason>,
    },
    /// A fixed grant with the concept's stated reason.
    Grant {
        text: String,
    },
    /// Tiers: the band reached (or none), after the eligibility.
    Tier {
        eligible: Box<Reason>,
        min_index: Decimal,
        fte: Decimal,
    },
    NoTier {
        eligible: Box<Reason>,
    },
    /// Applications: none made, or one over `fte` with the Träger's words.
    NoApplication,
    Application {
        fte: Decimal,
        text: String,
    },
    /// Funding in order ended before (all of) this Kita's demand.
    NotFunded {
        before: Box<Reason>,
    },
}

impl Reason {
    /// Appends the funding-order note to a reason.
    pub(crate) fn not_funded(self) -> Reason {
        Reason::NotFunded {
            before: Box::new(self),
        }
    }
}

/// A decimal as German text: three places at most, decimal comma.
pub(crate) struct German(pub Decimal);

impl fmt::Display for German {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        struct Comma<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl Write for Comma<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for (i, part) in s.split('.').enumerate() {
                    if i > 0 {
                        self.0.write_char(',')?;
                    }
                    self.0.write_str(part)?;
                }
                Ok(())
            }
        }
        write!(
            Comma(f),
            "{}",
            self.0
                .round_dp_with_strategy(3, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        )
    }
}

/// A number in a reason that a reader may be denied (the small-count rule of the platform
/// decides which; the engine only writes the text without it).
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// The Kita's need index.
    Index,
    /// The district mean of the index.
    Mean,
    /// The Kita's rank by index.
    Rank,
    /// A Kita's value of an indicator in an eligibility rule.
    Indicator(&'a str, Decimal),
}

/// What stands in the text in place of a withheld number.
pub const WITHHELD_TEXT: &str = "nicht gezeigt (beruht auf Zahlen < 5)";

/// A reason written out with some of its numbers withheld: see [`Reason::withholding`].
pub struct Withholding<'a> {
    reason: &'a Reason,
    hide: &'a dyn Fn(Part<'_>) -> bool,
}

impl Reason {
    /// The German text with the numbers `hide` names left out.
    pub fn withholding<'a>(&'a self, hide: &'a dyn Fn(Part<'_>) -> bool) -> Withholding<'a> {
        Withholding { reason: self, hide }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.withholding(&|_| false).fmt(f)
    }
}

impl fmt::Display for Withholding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hide = self.hide;
        let nested = |r: &'_ Reason, f: &mut fmt::Formatter<'_>| r.withholding(hide).fmt(f);
        let above = |met: bool| if met { "über" } else { "nicht über" };
        // A number as text, or the withheld marker.
        let shown = |part: Part<'_>, text: &dyn fmt::Display| -> String {
            if hide(part) {
                WITHHELD_TEXT.to_owned()
            } else {
                text.to_string()
            }
        };
        let index = |i: Decimal| shown(Part::Index, &German(i));
        match self.reason {
            Reason::AllKitas => f.write_str("alle Kitas"),
            Reason::NoIndex => f.write_str("kein Index (fehlende Daten)"),
            Reason::IndexAbove {
                index: i,
                threshold,
                met,
            } => write!(
                f,
                "Index {} {} Schwelle {}",
                index(*i),
                above(*met),
                German(*threshold)
            ),
            Reason::IndexAboveMean {
                index: i,
                mean,
                met,
            } => {
                let mean = shown(Part::Mean, &German(*mean));
                write!(
                    f,
                    "Index {} {} Bezirksmittel {mean}",
                    index(*i),
                    above(*met)
                )
            }
            Reason::Rank {
                rank,
                of,
                considered,
                ..
            } => {
                let rank = shown(Part::Rank, rank);
                write!(
                    f,
                    "Rang {rank} von {of} (berücksichtigt: die ersten {considered})"
                )
            }
            Reason::IndicatorAtLeast {
                indicator,
                value,
                threshold,
                met,
            } => {
                let value = if hide(Part::Indicator(indicator, *value)) {
                    "< 5".to_owned()
                } else {
                    German(*value).to_string()
                };
                write!(
                    f,
                    "{indicator} = {value} ({} {})",
                    if *met { "mindestens" } else { "unter" },
                    German(*threshold)
                )
            }
            Reason::IndicatorMissing { indicator } => write!(f, "{indicator} fehlt"),
            Reason::FamilyCenter { met: true } => f.write_str("Familienzentrum"),
            Reason::FamilyCenter { met: false } => f.write_str("kein Familienzentrum"),
            Reason::BeRelevant { met: true } => f.write_str("betriebserlaubnisrelevanter Bedarf"),
            Reason::BeRelevant { met: false } => {
                f.write_str("kein betriebserlaubnisrelevanter Bedarf")
            }
            Reason::SocialSpace {
                space: Some(s),
                met: true,
            } => write!(f, "Sozialraum {s}"),
            Reason::SocialSpace {
                space: Some(s),
                met: false,
            } => write!(f, "Sozialraum {s} nicht berücksichtigt"),
            Reason::SocialSpace { space: None, .. } => f.write_str("kein Sozialraum"),
            Reason::Not { inner } => {
                f.write_str("nicht: ")?;
                nested(inner, f)
            }
            Reason::Each { reasons } => {
                for (i, r) in reasons.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    nested(r, f)?;
                }
                Ok(())
            }
            Reason::Grant { text } => f.write_str(text),
            Reason::Tier {
                eligible,
                min_index,
                fte,
            } => {
                nested(eligible, f)?;
                write!(
                    f,
                    "; Stufe ab Index {}: {} VZÄ",
                    German(*min_index),
                    German(*fte)
                )
            }
            Reason::NoTier { eligible } => {
                nested(eligible, f)?;
                f.write_str("; keine Stufe erreicht")
            }
            Reason::NoApplication => f.write_str("kein Antrag"),
            Reason::Application { fte, text } if text.is_empty() => {
                write!(f, "Antrag über {} VZÄ", German(*fte))
            }
            Reason::Application { fte, text } => {
                write!(f, "Antrag über {} VZÄ: {text}", German(*fte))
            }
            Reason::NotFunded { before } => {
                nested(before, f)?;
                f.write_str("; nicht (voll) finanziert: Budget erschöpft")
            }
        }
    }
}

/// Reasons compare with their German text in tests and callers.
impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        // Compared piece by piece as the text is written, without building it.
        struct Rest<'a>(&'a str);
        impl fmt::Write for Rest<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut rest = Rest(other);
        fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_for_the_platform_and_german_for_people() {
        let r = Reason::IndexAboveMean {
            index: Decimal::new(3125, 4),
            mean: Decimal::new(25, 2),
            met: true,
        };
        assert_eq!(r.to_string(), "Index 0,313 über Bezirksmittel 0,25");
        assert!(r == "Index 0,313 über Bezirksmittel 0,25");
        assert!(r != "Index 0,313 über Bezirksmittel");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["kind"], "index_above_mean");
        assert_eq!(json["met"], true);
        assert_eq!(serde_json::from_value::<Reason>(json).unwrap(), r);

        let or = Reason::Each {
            reasons: vec![
                Reason::FamilyCenter { met: false },
                Reason::Rank {
                    rank: 7,
                    of: 60,
                    considered: 6,
                    met: false,
                },
            ],
        };
        let hidden = or.withholding(&|p| matches!(p, Part::Rank)).to_string();
        assert_eq!(
            hidden,
            format!(
                "kein Familienzentrum; Rang {WITHHELD_TEXT} von 60 (berücksichtigt: die ersten 6)"
            )
        );
        assert_eq!(
            or.not_funded().to_string(),
            "kein Familienzentrum; Rang 7 von 60 (berücksichtigt: die ersten 6); \
             nicht (voll) finanziert: Budget erschöpft"
        );
    }
}
