//! The Land's side: the state budget of a year, its split between the 41 districts (the state
//! key), and the co-financing of personnel costs.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::apportion::largest_remainder;
use crate::error::{AllocationError, Result};
use crate::money::{check_range, euros, Cents, Rounding, MAX_CENTS};

/// § 25 Abs. 5 KiTaG: a base amount growing by a yearly rate, compounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateBudget {
    /// Euros in the base year (50,000,000 in 2021).
    pub base_amount: Decimal,
    pub base_year: i32,
    /// Yearly growth, e.g. 0.025.
    pub growth: Decimal,
    /// Share of a year that is paid (2021: 0.5, paid from 1 July); 1 when absent.
    #[serde(default)]
    pub pro_rata: BTreeMap<i32, Decimal>,
    /// A year's amount in euros as set by the budget law, replacing the computed one.
    #[serde(default)]
    pub overrides: BTreeMap<i32, Decimal>,
    #[serde(default)]
    pub rounding: Rounding,
}

impl StateBudget {
    /// The law as it stands: 50 Mio € in 2021, +2.5 % a year, 2021 paid for half a year.
    pub fn kitag_rlp() -> Self {
        Self {
            base_amount: Decimal::from(50_000_000),
            base_year: 2021,
            growth: Decimal::new(25, 3),
            pro_rata: BTreeMap::from([(2021, Decimal::new(5, 1))]),
            overrides: BTreeMap::new(),
            rounding: Rounding::Cent,
        }
    }

    /// The state budget of `year` in cents.
    pub fn amount(&self, year: i32) -> Result<Cents> {
        if self.base_amount.is_sign_negative() {
            return Err(AllocationError::Negative {
                subject: "state budget".into(),
                field: "base_amount".into(),
            });
        }
        let max_euros = Decimal::from(MAX_CENTS / 100);
        check_range(
            "state budget",
            "base_amount",
            self.base_amount,
            Decimal::ZERO,
            max_euros,
        )?;
        check_range(
            "state budget",
            "growth",
            self.growth,
            Decimal::ZERO,
            Decimal::ONE,
        )?;
        if let Some(amount) = self.overrides.get(&year) {
            check_range(
                "state budget",
                "override",
                *amount,
                Decimal::ZERO,
                max_euros,
            )?;
            if amount.is_sign_negative() {
                return Err(AllocationError::Negative {
                    subject: format!("override {year}"),
                    field: "amount".into(),
                });
            }
            return self.rounding.round_cents(euros(*amount), "state budget");
        }
        if year < self.base_year {
            return Err(AllocationError::InvalidYear {
                year,
                reason: format!("before the base year {}", self.base_year),
            });
        }
        if year - self.base_year > 200 {
            return Err(AllocationError::InvalidYear {
                year,
                reason: "more than 200 years after the base year".into(),
            });
        }
        let factor = Decimal::ONE + self.growth;
        let mut amount = self.base_amount;
        for _ in self.base_year..year {
            amount = amount
                .checked_mul(factor)
                .ok_or_else(|| AllocationError::Overflow("state budget growth".into()))?;
        }
        let pro_rata = self.pro_rata.get(&year).copied().unwrap_or(Decimal::ONE);
        check_share("pro_rata", pro_rata)?;
        self.rounding
            .round_cents(euros(amount * pro_rata), "state budget")
    }
}

pub(crate) fn check_share(field: &str, v: Decimal) -> Result<()> {
    if v.is_sign_negative() && !v.is_zero() || v > Decimal::ONE {
        return Err(AllocationError::ShareOutOfRange {
            field: field.to_owned(),
            value: v.to_string(),
        });
    }
    Ok(())
}

/// One district's numbers for the state key, with their reference date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyDistrict {
    pub ags: String,
    pub children_under7: i64,
    /// Children under 7 living in SGB-II Bedarfsgemeinschaften.
    pub children_under7_sgb2: i64,
    /// ISO date the counts refer to.
    pub reference_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateKey {
    /// Weight of the share of children under 7 (default 0.4).
    pub weight_children: Decimal,
    /// Weight of the share of children under 7 in SGB-II households (default 0.6).
    pub weight_sgb2: Decimal,
    pub districts: Vec<KeyDistrict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictAmount {
    pub ags: String,
    /// The district's key share (0..1).
    pub share: Decimal,
    pub amount: Cents,
}

impl StateKey {
    /// Splits `total` between the districts so that the amounts add up to it exactly, in
    /// multiples of the rounding unit. Districts are taken in AGS order, so input order does not
    /// matter.
    pub fn split(&self, total: Cents, rounding: Rounding) -> Result<Vec<DistrictAmount>> {
        check_share("weight_children", self.weight_children)?;
        check_share("weight_sgb2", self.weight_sgb2)?;
        if self.weight_children + self.weight_sgb2 != Decimal::ONE {
            return Err(AllocationError::WeightsDoNotAddUp {
                what: "state key".into(),
                sum: (self.weight_children + self.weight_sgb2).to_string(),
            });
        }
        let mut districts: Vec<&KeyDistrict> = self.districts.iter().collect();
        districts.sort_by(|a, b| a.ags.cmp(&b.ags));
        for pair in districts.windows(2) {
            if pair[0].ags == pair[1].ags {
                return Err(AllocationError::DuplicateId(pair[0].ags.clone()));
            }
        }
        check_range("state key", "total", total, 0, MAX_CENTS)?;
        for d in &districts {
            for (field, v) in [
                ("children_under7", d.children_under7),
                ("children_under7_sgb2", d.children_under7_sgb2),
            ] {
                if v < 0 {
                    return Err(AllocationError::Negative {
                        subject: format!("district {}", d.ags),
                        field: field.into(),
                    });
                }
                check_range(&format!("district {}", d.ags), field, v, 0, 100_000_000)?;
            }
        }
        let sum_children: i64 = districts.iter().map(|d| d.children_under7).sum();
        let sum_sgb2: i64 = districts.iter().map(|d| d.children_under7_sgb2).sum();
        let part = |v: i64, sum: i64| {
            if sum == 0 {
                Decimal::ZERO
            } else {
                Decimal::from(v) / Decimal::from(sum)
            }
        };
        let shares: Vec<Decimal> = districts
            .iter()
            .map(|d| {
                self.weight_children * part(d.children_under7, sum_children)
                    + self.weight_sgb2 * part(d.children_under7_sgb2, sum_sgb2)
            })
            .collect();
        let unit = rounding.unit();
        let units = largest_remainder(total / unit, &shares, "state key")?;
        let mut out: Vec<DistrictAmount> = districts
            .iter()
            .zip(shares)
            .zip(units)
            .map(|((d, share), u)| DistrictAmount {
                ags: d.ags.clone(),
                share,
                amount: u * unit,
            })
            .collect();
        // A total that is not a multiple of the unit leaves cents below the unit: they go to
        // the district with the largest share, so nothing is lost.
        let rest = total - out.iter().map(|d| d.amount).sum::<Cents>();
        if rest != 0 {
            if let Some(top) = out
                .iter_mut()
                .max_by(|a, b| a.share.cmp(&b.share).then(b.ags.cmp(&a.ags)))
            {
                top.amount += rest;
            }
        }
        Ok(out)
    }
}

/// The Land pays a rate of the personnel costs; the district carries the rest, possibly
/// sharing it with the Kita-Träger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoFinancing {
    /// The Land's rate of the personnel costs (0.6).
    pub land_rate: Decimal,
    /// Share of the district's part carried by the Kita-Träger (0 when the district carries
    /// all of it).
    #[serde(default)]
    pub traeger_share: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoFinanced {
    pub land: Cents,
    /// Land amount / rate: the whole personnel budget.
    pub total: Cents,
    /// What the district itself pays (after the Träger's part).
    pub district: Cents,
    pub traeger: Cents,
}

impl CoFinancing {
    pub fn apply(&self, land: Cents, rounding: Rounding) -> Result<CoFinanced> {
        if land < 0 {
            return Err(AllocationError::Negative {
                subject: "co-financing".into(),
                field: "land".into(),
            });
        }
        check_range("co-financing", "land", land, 0, MAX_CENTS)?;
        check_share("land_rate", self.land_rate)?;
        check_share("traeger_share", self.traeger_share)?;
        if self.land_rate.is_zero() {
            return Err(AllocationError::ShareOutOfRange {
                field: "land_rate".into(),
                value: "0".into(),
            });
        }
        let total = rounding
            .round_cents(Decimal::from(land) / self.land_rate, "co-financing total")?
            .max(land);
        let rest = total - land;
        let traeger = rounding
            .round_cents(Decimal::from(rest) * self.traeger_share, "Träger share")?
            .min(rest);
        Ok(CoFinanced {
            land,
            total,
            district: rest - traeger,
            traeger,
        })
    }
}
