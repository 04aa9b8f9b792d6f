//! Documents districts write for each other: role profiles with revisions and copies,
//! staffing ideas, cooperation models.

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use srb_storage as st;

use crate::content::{self, RoleProfileContent};
use crate::ctx_viewer;
use crate::ids::{self, NodeType};
use crate::loaders::{DocumentKey, DocumentTags, RevisionsOf};
use crate::markdown;
use crate::records::{district_by_ags, District};

use super::*;

// ---------------------------------------------------------------------------------------------
// Documents

/// Ein Eintrag in einer Liste von Aufgaben.
#[derive(SimpleObject, Clone)]
pub struct Task {
    /// Bleibt beim Bearbeiten und Übernehmen erhalten; beim Speichern mitsenden.
    pub key: String,
    pub text: String,
}

impl From<content::Task> for Task {
    fn from(t: content::Task) -> Self {
        Task {
            key: t.key,
            text: t.text,
        }
    }
}

/// Zugangsprofil: welche Qualifikationen die Stelle zulässt.
#[derive(SimpleObject)]
pub struct AccessProfile {
    pub qualifications: Vec<String>,
    /// Quereinstieg möglich (z. B. Erzieher:innen mit Zusatzausbildung).
    pub lateral_entry: bool,
    pub notes: Option<String>,
}

/// Wer die Stelle wie oft nachgenutzt hat.
#[derive(SimpleObject)]
pub struct Reuse {
    pub district: Option<District>,
    pub at: DateTime<Utc>,
    /// Die Kopie, wenn sie für den Fragenden sichtbar ist.
    pub profile: Option<RoleProfile>,
}

/// Woher ein übernommenes Profil stammt.
#[derive(SimpleObject)]
pub struct ProfileOrigin {
    /// Das Ursprungsprofil, wenn es noch sichtbar ist.
    pub profile: Option<RoleProfile>,
    /// Die übernommene Fassung.
    pub revision: i32,
}

/// Eine gespeicherte Fassung eines Aufgabenprofils.
pub struct RoleProfileRevision(pub(crate) st::KnowledgeRevision);

#[Object]
impl RoleProfileRevision {
    pub(crate) async fn id(&self) -> ID {
        ids::encode(
            NodeType::RoleProfileRevision,
            format!("{}.{}", self.0.document_id, self.0.revision),
        )
    }
    pub(crate) async fn revision(&self) -> i32 {
        self.0.revision
    }
    pub(crate) async fn title(&self) -> &str {
        &self.0.title
    }
    pub(crate) async fn status(&self) -> DocumentStatus {
        self.0.status.into()
    }
    pub(crate) async fn saved_at(&self) -> DateTime<Utc> {
        self.0.saved_at
    }
    pub(crate) async fn tasks(&self) -> Vec<Task> {
        content::read::<RoleProfileContent>(&self.0.content)
            .tasks
            .into_iter()
            .map(Into::into)
            .collect()
    }
}

/// Ein Aufgabenprofil (Rollenprofil) eines Bezirks.
#[derive(Clone)]
pub struct RoleProfile(pub st::KnowledgeDocument, RoleProfileContent);
/// Eine Idee, Fachkräfte zu gewinnen, zu halten oder zu qualifizieren.
pub struct StaffingIdea(pub st::KnowledgeDocument, content::StaffingIdeaContent);
/// Ein Modell der Trägerkooperation: wer anstellt, wer beaufsichtigt, wer was bezahlt.
pub struct CooperationModel(pub st::KnowledgeDocument, content::CooperationModelContent);

impl From<st::KnowledgeDocument> for RoleProfile {
    fn from(d: st::KnowledgeDocument) -> Self {
        let c = content::read(&d.content);
        RoleProfile(d, c)
    }
}
impl From<st::KnowledgeDocument> for StaffingIdea {
    fn from(d: st::KnowledgeDocument) -> Self {
        let c = content::read(&d.content);
        StaffingIdea(d, c)
    }
}
impl From<st::KnowledgeDocument> for CooperationModel {
    fn from(d: st::KnowledgeDocument) -> Self {
        let c = content::read(&d.content);
        CooperationModel(d, c)
    }
}

pub(crate) async fn document_district(
    ctx: &Context<'_>,
    d: &st::KnowledgeDocument,
) -> async_graphql::Result<Option<District>> {
    match &d.district_ags {
        Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn document_tags(
    ctx: &Context<'_>,
    d: &st::KnowledgeDocument,
) -> async_graphql::Result<Vec<String>> {
    Ok(load(ctx, DocumentTags(d.id)).await?.unwrap_or_default())
}

/// An object type of a document kind: the fields every kind has, then the kind's own. One
/// macro around the whole impl, since async-graphql objects cannot share an impl block.
macro_rules! document_object {
    ($t:ident, $node:expr, { $($own:tt)* }) => {
        #[Object]
        impl $t {
            pub async fn id(&self) -> ID {
                ids::encode($node, self.0.id)
            }
            async fn title(&self) -> &str {
                &self.0.title
            }
            async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
                document_district(ctx, &self.0).await
            }
            async fn status(&self) -> DocumentStatus {
                self.0.status.into()
            }
            async fn publication(&self) -> Publication {
                self.0.publication.into()
            }
            async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
                document_tags(ctx, &self.0).await
            }
            /// Beispieldaten der Demo.
            async fn synthetic(&self) -> bool {
                self.0.synthetic
            }
            async fn version(&self) -> i32 {
                self.0.version
            }
            async fn created_at(&self) -> DateTime<Utc> {
                self.0.created_at
            }
            async fn updated_at(&self) -> DateTime<Utc> {
                self.0.updated_at
            }
            async fn deleted_at(&self) -> Option<DateTime<Utc>> {
                self.0.deleted_at
            }
            $($own)*
        }
    };
}

document_object!(RoleProfile, NodeType::RoleProfile, {
    async fn role(&self) -> ProfileRole {
        ProfileRole::parse(self.0.category.as_deref())
    }
    /// Bezeichnung der Rolle: die eigene des Bezirks oder die allgemeine.
    async fn role_label(&self) -> String {
        self.1.role_label.clone().unwrap_or_else(|| {
            ProfileRole::parse(self.0.category.as_deref())
                .label()
                .into()
        })
    }
    /// Ziel und Zweck der Stelle (Markdown).
    async fn purpose(&self) -> Option<&str> {
        self.1.purpose.as_deref()
    }
    async fn purpose_html(&self) -> Option<String> {
        self.1.purpose.as_deref().map(markdown::to_html)
    }
    /// Aufgaben in ihrer Reihenfolge.
    async fn tasks(&self) -> Vec<Task> {
        self.1.tasks.iter().cloned().map(Into::into).collect()
    }
    async fn target_groups(&self) -> &[String] {
        &self.1.target_groups
    }
    async fn ways_of_working(&self) -> Vec<WayOfWorkingKind> {
        self.1.ways_of_working.iter().map(|w| (*w).into()).collect()
    }
    async fn access_profile(&self) -> AccessProfile {
        AccessProfile {
            qualifications: self.1.qualifications.clone(),
            lateral_entry: self.1.lateral_entry,
            notes: self.1.access_notes.clone(),
        }
    }
    /// Umfang in Vollzeitäquivalenten.
    async fn fte(&self) -> Option<Decimal> {
        self.1.fte.as_deref().and_then(|s| s.parse().ok())
    }
    /// Zahl der Kitas, für die die Stelle da ist.
    async fn kitas_served(&self) -> Option<i32> {
        self.1.kitas_served
    }
    async fn employer(&self) -> Option<EmployerModel> {
        self.1.employer.map(Into::into)
    }
    /// Wer die Dienstaufsicht hat.
    async fn line_supervision(&self) -> Option<&str> {
        self.1.line_supervision.as_deref()
    }
    /// Wer die Fachaufsicht hat.
    async fn professional_supervision(&self) -> Option<&str> {
        self.1.professional_supervision.as_deref()
    }
    async fn cooperation_partners(&self) -> &[String] {
        &self.1.cooperation_partners
    }
    /// Die aktuelle Fassung.
    async fn revision(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(load(ctx, RevisionsOf(self.0.id))
            .await?
            .and_then(|r| r.first().map(|r| r.revision))
            .unwrap_or(1))
    }
    /// Die gespeicherten Fassungen, neueste zuerst: für die Bearbeitenden alle, für andere die
    /// veröffentlichten (Entwürfe bleiben im Bezirk).
    async fn revisions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<RoleProfileRevision>> {
        let viewer = ctx_viewer(ctx);
        Ok(load(ctx, RevisionsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|r| revision_readable(viewer, &self.0, r))
            .map(RoleProfileRevision)
            .collect())
    }
    /// Woher das Profil übernommen wurde.
    async fn forked_from(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProfileOrigin>> {
        let (Some(id), Some(revision)) = (self.0.forked_from_id, self.0.forked_from_revision)
        else {
            return Ok(None);
        };
        let profile = load(ctx, DocumentKey(id))
            .await?
            .filter(|d| document_readable(ctx_viewer(ctx), d))
            .map(RoleProfile::from);
        Ok(Some(ProfileOrigin { profile, revision }))
    }
    /// Wie oft das Profil übernommen wurde (gezählt werden die Übernahmen, die man lesen darf:
    /// ein Entwurf eines anderen Bezirks bleibt dessen Sache).
    async fn reuse_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(readable_forks(ctx, self.0.id).await?.len() as i32)
    }
    /// Von wem und wann das Profil übernommen wurde.
    async fn reuses(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Reuse>> {
        let mut out = Vec::new();
        for (f, d) in readable_forks(ctx, self.0.id).await? {
            let district = match &f.district_ags {
                Some(ags) => Some(district_by_ags(ctx, ags).await?),
                None => None,
            };
            out.push(Reuse {
                district,
                at: f.created_at,
                profile: Some(RoleProfile::from(d)),
            });
        }
        Ok(out)
    }
});

document_object!(StaffingIdea, NodeType::StaffingIdea, {
    async fn category(&self) -> StaffingCategory {
        StaffingCategory::parse(self.0.category.as_deref())
    }
    /// Die Maßnahme (Markdown).
    async fn measure(&self) -> &str {
        &self.1.measure
    }
    async fn measure_html(&self) -> String {
        markdown::to_html(&self.1.measure)
    }
    /// Ausgangslage, für die die Maßnahme gedacht ist.
    async fn context(&self) -> Option<&str> {
        self.1.context.as_deref()
    }
    /// Belege oder bisherige Erfahrungen.
    async fn evidence(&self) -> Option<&str> {
        self.1.evidence.as_deref()
    }
});

/// Wer welchen Anteil einer Kostenart trägt.
#[derive(SimpleObject)]
pub struct CostShare {
    pub payer: String,
    /// Anteil in Prozent; offen, wenn das Modell ihn nicht festlegt.
    pub percent: Option<Decimal>,
}

/// Eine Vereinbarung zwischen Beteiligten.
#[derive(SimpleObject)]
pub struct Agreement {
    pub parties: Vec<String>,
    pub subject: String,
}

pub(crate) fn shares(list: &[content::CostShare]) -> Vec<CostShare> {
    list.iter()
        .map(|s| CostShare {
            payer: s.payer.clone(),
            percent: s.percent.as_deref().and_then(|p| p.parse().ok()),
        })
        .collect()
}

document_object!(CooperationModel, NodeType::CooperationModel, {
    /// Beschreibung (Markdown).
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    async fn description_html(&self) -> Option<String> {
        self.1.description.as_deref().map(markdown::to_html)
    }
    /// Wer anstellt.
    async fn employer(&self) -> Option<EmployerModel> {
        self.1.employer.map(Into::into)
    }
    async fn employer_note(&self) -> Option<&str> {
        self.1.employer_note.as_deref()
    }
    async fn line_supervision(&self) -> Option<&str> {
        self.1.line_supervision.as_deref()
    }
    async fn professional_supervision(&self) -> Option<&str> {
        self.1.professional_supervision.as_deref()
    }
    /// Wer die Personalkosten trägt, zu welchem Anteil.
    async fn personnel_costs(&self) -> Vec<CostShare> {
        shares(&self.1.personnel_costs)
    }
    /// Wer die Sachkosten trägt, zu welchem Anteil.
    async fn material_costs(&self) -> Vec<CostShare> {
        shares(&self.1.material_costs)
    }
    async fn agreements(&self) -> Vec<Agreement> {
        self.1
            .agreements
            .iter()
            .map(|a| Agreement {
                parties: a.parties.clone(),
                subject: a.subject.clone(),
            })
            .collect()
    }
    async fn advantages(&self) -> &[String] {
        &self.1.advantages
    }
    async fn risks(&self) -> &[String] {
        &self.1.risks
    }
});
