//! The knowledge store in the graph: workshops → sessions → contributions, and the documents
//! districts share (role profiles with revisions, forks and comparison; staffing ideas;
//! cooperation models). Who reads what is the record's publication level, applied by the
//! storage layer for lists and by `srb_domain::Reader` for single records.

mod access;
mod comparison;
mod documents;
mod inputs;
mod mutation;
mod query;
mod subscription;
mod workshops;

pub(crate) use access::*;
pub use comparison::*;
pub use documents::*;
pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use subscription::*;
pub use workshops::*;

use async_graphql::Enum;
use srb_storage as st;

use crate::content;

// ---------------------------------------------------------------------------------------------
// Enumerations

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::Publication")]
/// Wer ein Objekt lesen darf.
pub enum Publication {
    /// Alle, auch ohne Anmeldung.
    Public,
    /// Alle angemeldeten Nutzer:innen.
    Registered,
    /// Nur der eigene Bezirk.
    District,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::WorkshopFormat")]
pub enum WorkshopFormat {
    Online,
    InPerson,
    Hybrid,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::SessionKind")]
/// Programmpunkt, Themenraum oder Pause.
pub enum SessionKind {
    AgendaItem,
    ThemeRoom,
    Break,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::ContributionKind")]
/// Art eines Diskussionsbeitrags.
pub enum ContributionKind {
    /// Beobachtung
    Observation,
    /// Frage
    Question,
    /// Idee
    Idea,
    /// Zitat
    Quote,
    /// Empfehlung
    Recommendation,
    /// Ambivalenz
    Ambivalence,
    /// Fazit
    Conclusion,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::DocumentStatus")]
/// Entwurf (nur der eigene Bezirk sieht ihn) oder veröffentlicht.
pub enum DocumentStatus {
    Draft,
    Published,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "content::WayOfWorking")]
pub enum WayOfWorkingKind {
    Lotsenfunktion,
    Einzelfallarbeit,
    Gruppenangebote,
    Familienzentrum,
    Vernetzung,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "content::Employer")]
/// Anstellungsträger („Hutfrage“).
pub enum EmployerModel {
    Jugendamt,
    KitaTraeger,
    /// Ein freier Träger ohne eigene Kitas.
    FreierTraegerOhneKita,
}

/// Rolle, die ein Aufgabenprofil beschreibt.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProfileRole {
    KitaSozialarbeit,
    Koordination,
    InterkulturelleFachkraft,
    Netzwerker,
    KitaLotse,
    Other,
}

impl ProfileRole {
    const ALL: [ProfileRole; 6] = [
        ProfileRole::KitaSozialarbeit,
        ProfileRole::Koordination,
        ProfileRole::InterkulturelleFachkraft,
        ProfileRole::Netzwerker,
        ProfileRole::KitaLotse,
        ProfileRole::Other,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ProfileRole::KitaSozialarbeit => "KITA_SOZIALARBEIT",
            ProfileRole::Koordination => "KOORDINATION",
            ProfileRole::InterkulturelleFachkraft => "INTERKULTURELLE_FACHKRAFT",
            ProfileRole::Netzwerker => "NETZWERKER",
            ProfileRole::KitaLotse => "KITA_LOTSE",
            ProfileRole::Other => "OTHER",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            ProfileRole::KitaSozialarbeit => "Kita-Sozialarbeit",
            ProfileRole::Koordination => "Koordination",
            ProfileRole::InterkulturelleFachkraft => "interkulturelle Fachkraft",
            ProfileRole::Netzwerker => "Netzwerker:in",
            ProfileRole::KitaLotse => "Kita-Lotse",
            ProfileRole::Other => "andere Rolle",
        }
    }

    pub(crate) fn parse(s: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| Some(r.as_str()) == s)
            .unwrap_or(ProfileRole::Other)
    }
}

/// Handlungsfeld einer Idee zur Fachkräftegewinnung.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StaffingCategory {
    Gewinnen,
    Halten,
    Qualifizieren,
    Binnendifferenzierung,
    Arbeitszeit,
}

impl StaffingCategory {
    const ALL: [StaffingCategory; 5] = [
        StaffingCategory::Gewinnen,
        StaffingCategory::Halten,
        StaffingCategory::Qualifizieren,
        StaffingCategory::Binnendifferenzierung,
        StaffingCategory::Arbeitszeit,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StaffingCategory::Gewinnen => "GEWINNEN",
            StaffingCategory::Halten => "HALTEN",
            StaffingCategory::Qualifizieren => "QUALIFIZIEREN",
            StaffingCategory::Binnendifferenzierung => "BINNENDIFFERENZIERUNG",
            StaffingCategory::Arbeitszeit => "ARBEITSZEIT",
        }
    }

    pub(crate) fn parse(s: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| Some(r.as_str()) == s)
            .unwrap_or(StaffingCategory::Gewinnen)
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum DocumentationFormat {
    Markdown,
    Html,
}
