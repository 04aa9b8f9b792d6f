//! The rules of monitoring: what a position and a spending entry must be, when a district is
//! flagged, and which position figures a reader may see (the small-count rule applied to
//! counts of positions, with complementary suppression so no withheld figure follows from the
//! shown ones and a total).

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use crate::small_count::is_small;
use crate::{InputError, InputResult};

crate::text_enum!(
    /// Where a position stands.
    PositionStatus {
        /// Planned and funded, not yet advertised or filled.
        Planned = "PLANNED",
        Filled = "FILLED",
        Vacant = "VACANT",
    }
);

crate::text_enum!(
    /// Who employs the person in the position (the „Hutfrage“).
    EmployerKind {
        YouthOffice = "YOUTH_OFFICE",
        KitaProvider = "KITA_PROVIDER",
        /// A free Träger without Kitas of its own.
        IndependentProvider = "INDEPENDENT_PROVIDER",
    }
);

crate::text_enum!(
    /// What a position is for, the same across districts so the state can add them up.
    PositionRole {
        KitaSocialWork = "KITA_SOCIAL_WORK",
        Intercultural = "INTERCULTURAL",
        /// Staff the operating licence requires (betriebserlaubnisrelevant).
        LicenceStaff = "LICENCE_STAFF",
        FamilyCenter = "FAMILY_CENTER",
        Networker = "NETWORKER",
        KitaGuide = "KITA_GUIDE",
        Coordination = "COORDINATION",
        Other = "OTHER",
    }
);

impl PositionRole {
    pub fn german(self) -> &'static str {
        match self {
            Self::KitaSocialWork => "Kita-Sozialarbeit",
            Self::Intercultural => "Interkulturelle Fachkraft",
            Self::LicenceStaff => "Betriebserlaubnisrelevantes Mehrpersonal",
            Self::FamilyCenter => "Familienzentrum",
            Self::Networker => "Netzwerkarbeit",
            Self::KitaGuide => "Kita-Lotse",
            Self::Coordination => "Koordination",
            Self::Other => "Sonstiges",
        }
    }
}

impl PositionStatus {
    pub fn german(self) -> &'static str {
        match self {
            Self::Planned => "geplant",
            Self::Filled => "besetzt",
            Self::Vacant => "unbesetzt",
        }
    }
}

impl EmployerKind {
    pub fn german(self) -> &'static str {
        match self {
            Self::YouthOffice => "Jugendamt",
            Self::KitaProvider => "Kita-Träger",
            Self::IndependentProvider => "Freier Träger ohne Kitas",
        }
    }
}

/// FTE are kept exactly in ten-thousandths of a full-time position.
pub const FTE_SCALE: i64 = 10_000;

/// One position's FTE: more than 0, at most 1 (a larger share is two positions), at most four
/// decimal places. Returns ten-thousandths.
pub fn parse_fte(field: &str, fte: Decimal) -> InputResult<i64> {
    if fte <= Decimal::ZERO {
        return Err(InputError::new(
            field,
            "Der Stellenumfang muss größer als 0 VZÄ sein.",
        ));
    }
    if fte > Decimal::ONE {
        return Err(InputError::new(
            field,
            format!(
                "Eine Stelle umfasst höchstens 1 VZÄ, nicht {}; größere Umfänge bitte als mehrere Stellen erfassen.",
                german(fte)
            ),
        ));
    }
    let scaled = fte * Decimal::from(FTE_SCALE);
    if scaled.fract() != Decimal::ZERO {
        return Err(InputError::new(
            field,
            "Der Stellenumfang hat höchstens vier Nachkommastellen.",
        ));
    }
    Ok(i64::try_from(scaled).unwrap_or(FTE_SCALE))
}

/// FTE from ten-thousandths.
pub fn fte(e4: i64) -> Decimal {
    Decimal::new(e4, 4).normalize()
}

fn german(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

/// The Kitas a position serves, with shares that add up to exactly 1 (the law attributes
/// every position to the Kitas it works in). `field` names the list; problems name the entry.
pub fn check_kita_shares(field: &str, shares: &[(i64, Decimal)]) -> InputResult<()> {
    if shares.is_empty() {
        return Err(InputError::new(
            field,
            "Bitte mindestens eine Kita angeben, für die die Stelle arbeitet.",
        ));
    }
    for (i, (kita, share)) in shares.iter().enumerate() {
        if *share <= Decimal::ZERO || *share > Decimal::ONE {
            return Err(InputError::new(
                format!("{field}[{i}].share"),
                format!(
                    "Ein Anteil liegt über 0 und höchstens bei 1, nicht {}.",
                    german(*share)
                ),
            ));
        }
        if shares[..i].iter().any(|(k, _)| k == kita) {
            return Err(InputError::new(
                format!("{field}[{i}].kitaId"),
                "Diese Kita steht zweimal in der Liste.",
            ));
        }
    }
    let sum: Decimal = shares.iter().map(|(_, s)| *s).sum();
    if sum != Decimal::ONE {
        return Err(InputError::new(
            field,
            format!(
                "Die Anteile der Kitas ergeben zusammen {}, nicht 1.",
                german(sum)
            ),
        ));
    }
    Ok(())
}

/// A quarter of the year; `None` is the whole year.
pub fn parse_quarter(field: &str, quarter: Option<i32>) -> InputResult<i32> {
    match quarter {
        None => Ok(0),
        Some(q @ 1..=4) => Ok(q),
        Some(q) => Err(InputError::new(
            field,
            format!("Ein Quartal ist 1, 2, 3 oder 4, nicht {q}."),
        )),
    }
}

/// Positions vacant this long, or longer, are flagged.
pub const LONG_VACANCY_MONTHS: u32 = 6;
/// A finished year in which less than this share of the allocation was drawn is flagged.
pub const LOW_SPENDING_PERCENT: i64 = 80;
/// Data with a Stichtag more than this many months ago is stale.
pub const STALE_AFTER_MONTHS: u32 = 24;

/// A Stichtag more than two years before `today` is stale (the data no longer describes the
/// Kitas as they are).
pub fn is_stale(reference_date: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_sub_months(Months::new(STALE_AFTER_MONTHS))
        .is_some_and(|limit| reference_date < limit)
}

/// The day a year's figures are read at: its last day, or `today` while it runs.
pub fn as_of(year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .map(|end| end.min(today))
        .unwrap_or(today)
}

/// A position vacant since this day or earlier has been vacant for
/// [`LONG_VACANCY_MONTHS`] or more at the year's reading day (see [`months_between`]).
pub fn long_vacancy_cutoff(year: i32, today: NaiveDate) -> NaiveDate {
    let as_of = as_of(year, today);
    as_of
        .checked_sub_months(Months::new(LONG_VACANCY_MONTHS))
        .unwrap_or(as_of)
}

/// Whole months from `since` to `until` (0 when `since` is later).
pub fn months_between(since: NaiveDate, until: NaiveDate) -> u32 {
    if since >= until {
        return 0;
    }
    let mut months =
        (until.year() - since.year()) * 12 + until.month() as i32 - since.month() as i32;
    if until.day() < since.day() {
        months -= 1;
    }
    months.max(0) as u32
}

/// The share of `allocated` drawn, in percent with one decimal place; none without an allocation.
pub fn spent_percent(spent: i64, allocated: i64) -> Option<Decimal> {
    (allocated > 0).then(|| {
        (Decimal::from(spent) * Decimal::ONE_HUNDRED / Decimal::from(allocated)).round_dp(1)
    })
}

/// Why a district's row stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    /// No official plan for the year.
    NoPlan,
    /// A finished year with less than [`LOW_SPENDING_PERCENT`] of the allocation drawn.
    LowSpending,
    /// More drawn than allocated (accepted, but worth a look).
    Overspent,
    /// A position vacant for [`LONG_VACANCY_MONTHS`] or more.
    LongVacancy,
    /// The concept's review date has passed.
    ReviewOverdue,
    /// An indicator's latest Stichtag is older than two years, or there are no data.
    StaleData,
}

/// What the flags of a district's year are computed from.
#[derive(Debug, Clone, Default)]
pub struct FlagInputs {
    pub has_plan: bool,
    pub allocated: i64,
    pub spent: i64,
    pub year_finished: bool,
    pub longest_vacancy_months: Option<u32>,
    pub review_due: Option<NaiveDate>,
    /// The oldest of the indicators' latest Stichtage; none: no data at all.
    pub oldest_reference_date: Option<NaiveDate>,
}

pub fn flags(inputs: &FlagInputs, today: NaiveDate) -> Vec<Flag> {
    let mut flags = Vec::new();
    if !inputs.has_plan {
        flags.push(Flag::NoPlan);
    } else {
        let low = inputs.spent * 100 < inputs.allocated * LOW_SPENDING_PERCENT;
        if inputs.year_finished && low {
            flags.push(Flag::LowSpending);
        }
        if inputs.spent > inputs.allocated {
            flags.push(Flag::Overspent);
        }
    }
    if inputs
        .longest_vacancy_months
        .is_some_and(|m| m >= LONG_VACANCY_MONTHS)
    {
        flags.push(Flag::LongVacancy);
    }
    if inputs.review_due.is_some_and(|due| due < today) {
        flags.push(Flag::ReviewOverdue);
    }
    if inputs
        .oldest_reference_date
        .is_none_or(|d| is_stale(d, today))
    {
        flags.push(Flag::StaleData);
    }
    flags
}

/// Which cells of a table of position counts a reader may see.
///
/// Each cell is a vector of counts (positions per status, say) that one reader either knows
/// already (`known`: their own district, or they may read everything) or not. A cell with a
/// small count in any place is withheld. The withheld cells' sum follows from the total and
/// the shown cells, so it must not be small either: while it is, the smallest shown cell is
/// withheld too; when nothing is left to withhold, the total is withheld as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub withheld: Vec<bool>,
    pub total_withheld: bool,
}

pub fn suppress(cells: &[(Vec<i64>, bool)]) -> Suppression {
    let small = |counts: &[i64]| counts.iter().any(|c| is_small(true, Decimal::from(*c)));
    let mut withheld: Vec<bool> = cells
        .iter()
        .map(|(counts, known)| !known && small(counts))
        .collect();
    let width = cells.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    loop {
        let mut sums = vec![0i64; width];
        for ((counts, _), w) in cells.iter().zip(&withheld) {
            if *w {
                for (s, c) in sums.iter_mut().zip(counts) {
                    *s += c;
                }
            }
        }
        if !small(&sums) {
            return Suppression {
                withheld,
                total_withheld: false,
            };
        }
        let next = cells
            .iter()
            .enumerate()
            // A cell of zeros adds nothing to the sum: withholding it would not help.
            .filter(|(i, (counts, known))| !known && !withheld[*i] && counts.iter().any(|c| *c > 0))
            .min_by_key(|(i, (counts, _))| (counts.iter().sum::<i64>(), *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => withheld[i] = true,
            None => {
                return Suppression {
                    withheld,
                    total_withheld: true,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn fte_is_above_zero_and_at_most_one() {
        assert_eq!(parse_fte("fte", Decimal::new(5, 1)), Ok(5_000));
        assert_eq!(parse_fte("fte", Decimal::ONE), Ok(10_000));
        assert!(parse_fte("fte", Decimal::ZERO).is_err());
        assert!(parse_fte("fte", Decimal::new(-1, 1)).is_err());
        assert!(parse_fte("fte", Decimal::new(11, 1)).is_err());
        assert!(parse_fte("fte", Decimal::new(12345, 5)).is_err());
    }

    #[test]
    fn shares_must_add_up_to_one() {
        let half = Decimal::new(5, 1);
        assert!(check_kita_shares("kitas", &[(1, half), (2, half)]).is_ok());
        let e = check_kita_shares("kitas", &[(1, half), (2, Decimal::new(4, 1))]).unwrap_err();
        assert_eq!(e.field, "kitas");
        assert!(e.message.contains("0,9"), "{}", e.message);
        let e = check_kita_shares("kitas", &[(1, half), (1, half)]).unwrap_err();
        assert_eq!(e.field, "kitas[1].kitaId");
        assert!(check_kita_shares("kitas", &[]).is_err());
    }

    #[test]
    fn quarters_are_one_to_four() {
        assert_eq!(parse_quarter("q", None), Ok(0));
        assert_eq!(parse_quarter("q", Some(4)), Ok(4));
        assert!(parse_quarter("q", Some(0)).is_err());
        assert!(parse_quarter("q", Some(5)).is_err());
    }

    #[test]
    fn months_count_whole_months() {
        assert_eq!(months_between(day(2025, 1, 15), day(2025, 7, 14)), 5);
        assert_eq!(months_between(day(2025, 1, 15), day(2025, 7, 15)), 6);
        assert_eq!(months_between(day(2025, 7, 15), day(2025, 1, 15)), 0);
    }

    proptest! {
        /// The SQL cutoff and the month count agree on what a long vacancy is.
        #[test]
        fn the_cutoff_agrees_with_the_month_count(days in 0i64..2000, year in 2021i32..2030) {
            let today = day(2026, 12, 2);
            let since = day(2020, 1, 1) + chrono::Duration::days(days);
            let long = months_between(since, as_of(year, today)) >= LONG_VACANCY_MONTHS;
            prop_assert_eq!(long, since <= long_vacancy_cutoff(year, today));
        }
    }

    #[test]
    fn two_years_and_a_day_is_stale() {
        let today = day(2026, 12, 2);
        assert!(!is_stale(day(2024, 12, 2), today));
        assert!(is_stale(day(2024, 12, 1), today));
    }

    #[test]
    fn flags_of_a_finished_year() {
        let today = day(2026, 12, 2);
        let inputs = FlagInputs {
            has_plan: true,
            allocated: 1_000,
            spent: 700,
            year_finished: true,
            longest_vacancy_months: Some(6),
            review_due: Some(day(2026, 6, 30)),
            oldest_reference_date: Some(day(2025, 3, 1)),
        };
        assert_eq!(
            flags(&inputs, today),
            vec![Flag::LowSpending, Flag::LongVacancy, Flag::ReviewOverdue]
        );
        let running = FlagInputs {
            year_finished: false,
            spent: 1_200,
            longest_vacancy_months: Some(5),
            review_due: Some(today),
            oldest_reference_date: None,
            ..inputs
        };
        assert_eq!(
            flags(&running, today),
            vec![Flag::Overspent, Flag::StaleData]
        );
    }

    #[test]
    fn one_small_cell_takes_the_smallest_other_with_it() {
        let s = suppress(&[
            (vec![3], false),
            (vec![20], false),
            (vec![8], false),
            (vec![0], false),
        ]);
        // 3 alone would follow from the total; 3 + 8 does not; the zeros stay shown.
        assert_eq!(s.withheld, vec![true, false, true, false]);
        assert!(!s.total_withheld);
    }

    #[test]
    fn known_cells_are_shown_and_not_used_to_hide() {
        let s = suppress(&[(vec![2], true), (vec![3], false), (vec![9], false)]);
        assert_eq!(s.withheld, vec![false, true, true]);
        let s = suppress(&[(vec![3], false), (vec![9], true)]);
        assert_eq!(s.withheld, vec![true, false]);
        assert!(
            s.total_withheld,
            "the total minus the known cell is the small one"
        );
    }

    proptest! {
        /// Whatever the table: no shown unknown cell holds a small count, and the withheld
        /// unknown cells together hold none, unless the total is withheld too.
        #[test]
        fn nothing_small_can_be_read_or_computed(
            cells in proptest::collection::vec(
                (proptest::collection::vec(0i64..12, 3), any::<bool>()), 0..12)
        ) {
            let s = suppress(&cells);
            let mut sums = [0i64; 3];
            for ((counts, known), w) in cells.iter().zip(&s.withheld) {
                if *known {
                    prop_assert!(!w);
                    continue;
                }
                if !w {
                    prop_assert!(counts.iter().all(|c| !(1..5).contains(c)));
                } else {
                    for (s, c) in sums.iter_mut().zip(counts) { *s += c; }
                }
            }
            if !s.total_withheld {
                prop_assert!(sums.iter().all(|c| !(1..5).contains(c)));
            }
        }
    }
}
