//! The state budget and its distribution between the districts.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::planning::{self};
use crate::records::District;

use super::*;

// ---------------------------------------------------------------------------------------------
// State distribution

/// Mittel eines Bezirks in einem Jahr.
pub struct DistrictBudget(pub(crate) planning::DistrictBudget);

#[Object]
impl DistrictBudget {
    pub(crate) async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::records::district_by_ags(ctx, &self.0.ags).await
    }
    /// Anteil am Landesschlüssel (0 bis 1).
    pub(crate) async fn share(&self) -> Decimal {
        self.0.share
    }
    pub(crate) async fn children_under7(&self) -> i64 {
        self.0.children_under7
    }
    pub(crate) async fn children_under7_sgb2(&self) -> i64 {
        self.0.children_under7_sgb2
    }
    /// Datenjahr der Kinderzahlen (das neueste bis zum Haushaltsjahr).
    pub(crate) async fn key_year(&self) -> i32 {
        self.0.key_year
    }
    pub(crate) async fn reference_date(&self) -> NaiveDate {
        self.0.reference_date
    }
    /// Landesmittel in Euro.
    pub(crate) async fn land_amount(&self) -> Decimal {
        euros(self.0.financed.land)
    }
    /// Personalbudget insgesamt (Landesmittel / Förderquote).
    pub(crate) async fn total(&self) -> Decimal {
        euros(self.0.financed.total)
    }
    /// Eigenanteil des Jugendamts.
    pub(crate) async fn district_share(&self) -> Decimal {
        euros(self.0.financed.district)
    }
    /// Anteil der Kita-Träger.
    pub(crate) async fn traeger_share(&self) -> Decimal {
        euros(self.0.financed.traeger)
    }
}

#[derive(SimpleObject)]
pub struct StateDistribution {
    pub year: i32,
    /// Landesmittel des Jahres in Euro.
    pub total: Decimal,
    /// Mit vorgeschlagenen statt geltenden Parametern berechnet (nicht gespeichert).
    pub proposed: bool,
    pub districts: Vec<DistrictBudget>,
}

/// Vorgeschlagene Parameter (nur Ministerium und Administration); fehlende gelten wie geltend.
#[derive(InputObject, Default)]
pub struct StateParametersInput {
    /// Grundbetrag in Euro im Basisjahr (50.000.000 € 2021).
    pub base_amount: Option<Decimal>,
    pub base_year: Option<i32>,
    /// Jährliche Steigerung (0,025).
    pub growth: Option<Decimal>,
    /// Betrag des Jahres in Euro, der die Berechnung ersetzt.
    pub override_amount: Option<Decimal>,
    /// Gewicht der Kinder unter 7 (0,4); das der Kinder in SGB-II-Bedarfsgemeinschaften ist der Rest.
    pub weight_children: Option<Decimal>,
    /// Förderquote des Landes an den Personalkosten (0,6).
    pub land_rate: Option<Decimal>,
    /// Anteil der Träger am Eigenanteil (0).
    pub traeger_share: Option<Decimal>,
}
