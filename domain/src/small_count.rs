//! The small-count rule: a count of 1 to 4 children (Eingliederungshilfe, family-court
//! proceedings per Kita) can identify a family. Such a count is shown only to those who may read
//! the district's non-public data; everyone else sees „< 5“, and every number derived from it
//! that would let them compute it back is withheld, not rounded.
//!
//! What can be computed back, for the need index of an allocation:
//! - a term's normalised value and weighted contribution, from the Kita's own count;
//! - with a normalisation relative to the district (ratio to mean, z-score, min-max, percent
//!   rank) the normalised value of *every* Kita: two Kitas with public values and their
//!   normalised values give the district's mean and spread (or minimum and maximum), and from
//!   those the hidden counts follow; so is a value imputed from the district mean;
//! - the index, as the sum of its terms, when one of its terms is withheld, and its rank;
//! - the district mean of the index and every raw share (a Kita's weight over the sum of all
//!   weights), as soon as one Kita's index is withheld.
//!
//! Bounds remain (a threshold met, a rank among the visible ones): „< 5“ is a bound, too.
//! Amounts and positions are the decision the youth-welfare committee takes in public; they
//! stay visible (see ARCHITECTURE.md, "Who may see what").

use rust_decimal::Decimal;

/// Counts below this are small.
pub const SMALL_COUNT: i64 = 5;
/// What is shown in place of a small count, and of a number withheld because of one.
pub const WITHHELD: &str = "< 5";

/// A count of 1 to 4. Zero is not small: it identifies nobody.
pub fn is_small(is_count: bool, value: Decimal) -> bool {
    is_count && value > Decimal::ZERO && value < Decimal::from(SMALL_COUNT)
}

/// One term of a need index, as the rule needs to see it.
#[derive(Debug, Clone)]
pub struct TermValues {
    /// The indicator counts children (or places); unknown indicators count as counts.
    pub is_count: bool,
    /// The normalisation uses other Kitas' values (everything except `raw`).
    pub relative: bool,
    /// Per Kita, in the order of the result: the value that went in, and whether it was imputed
    /// from the district mean because it was missing.
    pub values: Vec<(Decimal, bool)>,
}

/// What one reader may see of one allocation result.
#[derive(Debug, Clone)]
pub struct Disclosure {
    everything: bool,
    /// `[kita][term]`: the value may be shown.
    value: Vec<Vec<bool>>,
    /// `[kita][term]`: normalised value and contribution may be shown.
    derived: Vec<Vec<bool>>,
    /// `[kita]`: index and rank may be shown.
    index: Vec<bool>,
    /// District-wide figures computed from every index (mean, raw shares).
    statistics: bool,
}

impl Disclosure {
    /// For readers of the district's non-public data.
    pub fn everything() -> Self {
        Self {
            everything: true,
            value: Vec::new(),
            derived: Vec::new(),
            index: Vec::new(),
            statistics: true,
        }
    }

    /// For a reader who may (`private`) or may not read the district's non-public data.
    /// `kitas` is the number of Kitas of the result; `terms` the index terms with one value
    /// per Kita.
    pub fn for_reader(private: bool, kitas: usize, terms: &[TermValues]) -> Self {
        if private {
            return Self::everything();
        }
        let mut value = vec![vec![true; terms.len()]; kitas];
        let mut derived = vec![vec![true; terms.len()]; kitas];
        for (t, term) in terms.iter().enumerate() {
            let small: Vec<bool> = term
                .values
                .iter()
                .map(|(v, imputed)| !imputed && is_small(term.is_count, *v))
                .collect();
            let any_small = small.iter().any(|s| *s);
            for k in 0..kitas.min(term.values.len()) {
                let imputed = term.values[k].1;
                // An imputed value is the district mean, which includes the small counts.
                let hide_value = small[k] || (imputed && any_small);
                value[k][t] = !hide_value;
                derived[k][t] = !(hide_value || (term.relative && any_small));
            }
        }
        let index: Vec<bool> = derived.iter().map(|d| d.iter().all(|s| *s)).collect();
        let statistics = index.iter().all(|s| *s);
        Self {
            everything: false,
            value,
            derived,
            index,
            statistics,
        }
    }

    fn at(v: &[Vec<bool>], kita: usize, term: usize) -> bool {
        v.get(kita)
            .and_then(|r| r.get(term))
            .copied()
            .unwrap_or(true)
    }

    /// The Kita's value of an index term.
    pub fn value(&self, kita: usize, term: usize) -> bool {
        self.everything || Self::at(&self.value, kita, term)
    }

    /// The normalised value and the contribution of an index term.
    pub fn derived(&self, kita: usize, term: usize) -> bool {
        self.everything || Self::at(&self.derived, kita, term)
    }

    /// The Kita's need index and its rank.
    pub fn index(&self, kita: usize) -> bool {
        self.everything || self.index.get(kita).copied().unwrap_or(true)
    }

    /// Figures over every Kita's index: the district mean, raw shares.
    pub fn statistics(&self) -> bool {
        self.everything || self.statistics
    }

    /// A value of an indicator outside the index (an eligibility rule).
    pub fn indicator_value(&self, is_count: bool, value: Decimal) -> bool {
        self.everything || !is_small(is_count, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> (Decimal, bool) {
        (Decimal::from(v), false)
    }

    fn term(relative: bool, values: Vec<(Decimal, bool)>) -> TermValues {
        TermValues {
            is_count: true,
            relative,
            values,
        }
    }

    #[test]
    fn zero_and_five_are_not_small_one_to_four_are() {
        assert!(!is_small(true, Decimal::ZERO));
        assert!(is_small(true, Decimal::ONE));
        assert!(is_small(true, Decimal::new(49, 1)));
        assert!(!is_small(true, Decimal::from(5)));
        assert!(
            !is_small(false, Decimal::new(3, 1)),
            "shares are not counts"
        );
    }

    #[test]
    fn a_raw_term_hides_the_small_kita_only() {
        let dis = Disclosure::for_reader(false, 3, &[term(false, vec![d(3), d(10), d(0)])]);
        assert!(!dis.value(0, 0) && !dis.derived(0, 0) && !dis.index(0));
        assert!(dis.value(1, 0) && dis.derived(1, 0) && dis.index(1));
        assert!(dis.index(2));
        assert!(!dis.statistics());
    }

    #[test]
    fn a_relative_term_hides_every_derived_value() {
        let dis = Disclosure::for_reader(false, 3, &[term(true, vec![d(3), d(10), d(0)])]);
        assert!(!dis.value(0, 0) && dis.value(1, 0) && dis.value(2, 0));
        for k in 0..3 {
            assert!(!dis.derived(k, 0) && !dis.index(k));
        }
    }

    #[test]
    fn an_imputed_mean_of_small_counts_is_hidden() {
        let dis = Disclosure::for_reader(
            false,
            3,
            &[term(false, vec![d(3), d(10), (Decimal::new(65, 1), true)])],
        );
        assert!(!dis.value(2, 0) && !dis.index(2));
    }

    #[test]
    fn private_readers_see_everything() {
        let dis = Disclosure::for_reader(true, 1, &[term(true, vec![d(3)])]);
        assert!(dis.value(0, 0) && dis.derived(0, 0) && dis.index(0) && dis.statistics());
        assert!(dis.statistics());
    }

    #[test]
    fn without_small_counts_nothing_is_withheld() {
        let dis = Disclosure::for_reader(false, 2, &[term(true, vec![d(0), d(12)])]);
        assert!(dis.statistics());
        assert!(dis.derived(0, 0) && dis.index(1));
    }
}
