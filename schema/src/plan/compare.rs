//! What-if previews, comparisons of two runs, and the exports of runs and comparisons.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use base64::Engine;
use rust_decimal::Decimal;
use srb_allocation::compare::{compare, Comparison};
use srb_sheets::export::{self, RunInfo};

use crate::ctx_storage;
use crate::error::{bad_input, not_found, OrGqlError};
use crate::ids::{self, NodeType};
use crate::planning::RunPayload;

use super::*;
use crate::explain::*;

/// Eine Berechnung, die nicht gespeichert wird (Was-wäre-wenn).
pub struct AllocationPreview {
    pub(crate) payload: Arc<RunPayload>,
    pub(crate) district_ags: String,
    pub(crate) year: i32,
}

#[Object]
impl AllocationPreview {
    pub(crate) async fn year(&self) -> i32 {
        self.year
    }
    pub(crate) async fn budget(&self) -> Decimal {
        euros(self.payload.result.budget)
    }
    pub(crate) async fn allocated(&self) -> Decimal {
        euros(
            self.payload
                .result
                .pillars
                .iter()
                .map(|p| p.allocated)
                .sum(),
        )
    }
    pub(crate) async fn input_hash(&self) -> &str {
        &self.payload.result.input_hash
    }
    pub(crate) async fn pillars(&self) -> Vec<PillarAllocation> {
        pillars_of(&self.payload)
    }
    pub(crate) async fn measures(&self) -> DistributionMeasures {
        (&self.payload.result.measures).into()
    }
    #[graphql(complexity = "2 + child_complexity * 10")]
    pub(crate) async fn kitas(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<KitaAllocation>> {
        kitas_of(ctx, &self.payload, &self.district_ags, self.year).await
    }
}

/// Unterschied einer Kita zwischen zwei Läufen (B − A).
#[derive(SimpleObject)]
pub struct KitaChange {
    pub kita_id: ID,
    pub name: String,
    pub amount_a: Decimal,
    pub amount_b: Decimal,
    pub difference: Decimal,
    pub fte_a: Decimal,
    pub fte_b: Decimal,
    pub rank_a: Option<i32>,
    pub rank_b: Option<i32>,
}

/// Zwei Läufe nebeneinander: wer gewinnt, wer verliert, wie sich die Maße ändern.
pub struct AllocationComparison {
    pub(crate) a: AllocationRun,
    pub(crate) b: AllocationRun,
    pub(crate) comparison: Comparison,
    /// Ranks withheld by the small-count rule.
    pub(crate) hidden: export::HiddenRanks,
}

#[Object]
impl AllocationComparison {
    pub(crate) async fn a(&self) -> &AllocationRun {
        &self.a
    }
    pub(crate) async fn b(&self) -> &AllocationRun {
        &self.b
    }
    pub(crate) async fn gainers(&self) -> i32 {
        self.comparison.gainers as i32
    }
    pub(crate) async fn losers(&self) -> i32 {
        self.comparison.losers as i32
    }
    pub(crate) async fn unchanged(&self) -> i32 {
        self.comparison.unchanged as i32
    }
    /// Summe aller Zuwächse.
    pub(crate) async fn gained(&self) -> Decimal {
        euros(self.comparison.gained)
    }
    /// Summe aller Verluste (negativ).
    pub(crate) async fn lost(&self) -> Decimal {
        euros(self.comparison.lost)
    }
    pub(crate) async fn allocated_a(&self) -> Decimal {
        euros(self.comparison.allocated_a)
    }
    pub(crate) async fn allocated_b(&self) -> Decimal {
        euros(self.comparison.allocated_b)
    }
    pub(crate) async fn measures_a(&self) -> DistributionMeasures {
        (&self.comparison.measures_a).into()
    }
    pub(crate) async fn measures_b(&self) -> DistributionMeasures {
        (&self.comparison.measures_b).into()
    }
    pub(crate) async fn gini_change(&self) -> Decimal {
        self.comparison.gini_change
    }
    pub(crate) async fn share_to_top_quarter_change(&self) -> Option<Decimal> {
        self.comparison.share_to_top_quarter_change
    }
    pub(crate) async fn need_correlation_change(&self) -> Option<Decimal> {
        self.comparison.need_correlation_change
    }
    /// Je Kita, nach Kita-Nummer.
    #[graphql(complexity = "2 + child_complexity * 10")]
    pub(crate) async fn kitas(&self) -> Vec<KitaChange> {
        self.comparison
            .kitas
            .iter()
            .map(|k| KitaChange {
                kita_id: ids::encode(NodeType::Kita, &k.id),
                name: k.name.clone(),
                amount_a: euros(k.amount_a),
                amount_b: euros(k.amount_b),
                difference: euros(k.difference),
                fte_a: k.fte_a,
                fte_b: k.fte_b,
                rank_a: k
                    .rank_a
                    .filter(|_| !self.hidden.a.contains(&k.id))
                    .map(|r| r as i32),
                rank_b: k
                    .rank_b
                    .filter(|_| !self.hidden.b.contains(&k.id))
                    .map(|r| r as i32),
            })
            .collect()
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ExportFormat {
    /// Excel-Arbeitsmappe mit Zusammenfassung, Parametern und einem Blatt je Säule.
    Xlsx,
    /// CSV für deutsches Excel (UTF-8 mit BOM, Semikolon, Dezimalkomma).
    Csv,
}

/// Eine Datei zum Herunterladen, Base64-kodiert.
#[derive(SimpleObject)]
pub struct FileDownload {
    pub file_name: String,
    pub media_type: String,
    pub size: i32,
    pub content_base64: String,
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn download(file_name: String, media_type: &str, bytes: Vec<u8>) -> FileDownload {
    FileDownload {
        file_name,
        media_type: media_type.to_owned(),
        size: bytes.len() as i32,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// A run the viewer may see: everything of the district for its private readers, otherwise
/// official plans only.
pub(crate) async fn visible_run(
    ctx: &Context<'_>,
    id: &ID,
    field: &str,
) -> async_graphql::Result<AllocationRun> {
    let id = ids::expect(id, NodeType::AllocationRun, field)?;
    run_node(ctx, id)
        .await?
        .ok_or_else(|| not_found("Der Lauf"))
}

pub(crate) async fn run_info(
    ctx: &Context<'_>,
    run: &AllocationRun,
) -> async_graphql::Result<RunInfo> {
    let storage = ctx_storage(ctx);
    let district = storage
        .districts_by_ags(std::slice::from_ref(&run.run.district_ags))
        .await
        .gql()?
        .into_iter()
        .next()
        .map(|d| d.name)
        .unwrap_or_default();
    let concept = storage
        .concepts_by_ids(&[run.run.concept_id])
        .await
        .gql()?
        .into_iter()
        .next()
        .map(|c| c.name)
        .unwrap_or_default();
    let f = &run.payload()?.budget.financed;
    Ok(RunInfo {
        district,
        concept,
        year: run.run.year,
        run_id: run.run.id.to_string(),
        computed_at: run.run.created_at.format("%d.%m.%Y %H:%M UTC").to_string(),
        engine_version: run.run.engine_version.clone(),
        budget_lines: vec![
            ("Landesmittel".into(), f.land),
            ("Personalbudget insgesamt".into(), f.total),
            ("Eigenanteil Jugendamt".into(), f.district),
            ("Anteil Träger".into(), f.traeger),
        ],
    })
}

pub(crate) async fn comparison_of(
    ctx: &Context<'_>,
    a: &ID,
    b: &ID,
) -> async_graphql::Result<AllocationComparison> {
    let a = visible_run(ctx, a, "a").await?;
    let b = visible_run(ctx, b, "b").await?;
    if a.run.district_ags != b.run.district_ags {
        return Err(bad_input(
            "b",
            "Verglichen werden Läufe desselben Bezirks; dieser Lauf gehört zu einem anderen.",
        ));
    }
    let comparison = compare(&a.payload()?.result, &b.payload()?.result);
    let explain = Explain::new(ctx, &a.run.district_ags).await?;
    let hidden_ranks = |run: &AllocationRun| -> async_graphql::Result<_> {
        let p = run.payload()?;
        let dis = p.disclosure(explain.private, &explain.definitions);
        Ok(p.result
            .kitas
            .iter()
            .enumerate()
            .filter(|(i, _)| !dis.index(*i))
            .map(|(_, k)| k.id.clone())
            .collect())
    };
    let hidden = export::HiddenRanks {
        a: hidden_ranks(&a)?,
        b: hidden_ranks(&b)?,
    };
    Ok(AllocationComparison {
        a,
        b,
        comparison,
        hidden,
    })
}

pub(crate) fn file_stub(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
