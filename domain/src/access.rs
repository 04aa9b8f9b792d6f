//! Who may read and change what. Every door asks [`Reader`]; SQL lists (through [`ListFilter`])
//! and the search index (through [`Reader::audience_terms`] and [`record_audiences`]) are
//! translations of [`Reader::may_read`], held equal to it by tests.

use crate::{Publication, Role};

/// Who is asking: nobody (anonymous) or an account with its role and, for coordinators, its
/// district (AGS). Built per request; nothing of it outlives the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reader {
    role: Option<Role>,
    district: Option<String>,
}

/// What the reader needs to know about a record to decide whether it may be read.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub publication: Publication,
    /// The district the record belongs to; `None` for records of the whole state (a workshop
    /// of IBEB, an idea recorded there).
    pub district: Option<&'a str>,
    /// Drafts are `false`; records without a status (workshops) are published.
    pub published: bool,
    pub deleted: bool,
}

/// The rule of [`Reader::may_read`] for lists in SQL: full pages, honest counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// No restriction (admins).
    pub everything: bool,
    /// `REGISTERED` records are readable.
    pub signed_in: bool,
    /// Every record of this district is readable, drafts and `DISTRICT` level included.
    pub district: Option<String>,
}

impl Reader {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn account(role: Role, district: Option<String>) -> Self {
        Self {
            role: Some(role),
            district,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    pub fn signed_in(&self) -> bool {
        self.role.is_some()
    }

    /// The coordinator's district.
    pub fn district(&self) -> Option<&str> {
        self.district.as_deref()
    }

    fn own(&self, district: Option<&str>) -> bool {
        district.is_some() && self.district.as_deref() == district
    }

    /// Admins write everywhere; coordinators only in their own district.
    pub fn can_write_district(&self, ags: &str) -> bool {
        match self.role {
            Some(Role::Admin) => true,
            Some(Role::Coordinator) => self.own(Some(ags)),
            _ => false,
        }
    }

    /// A district's non-public data (runs that are not official, audit trail, deleted records,
    /// small counts): admins, the ministry, the district's own coordinators.
    pub fn can_read_private(&self, district: Option<&str>) -> bool {
        match self.role {
            Some(Role::Admin | Role::Ministry) => true,
            Some(Role::Coordinator) => self.own(district),
            _ => false,
        }
    }

    /// The publication rule: public records for everybody, registered ones for every account,
    /// and all of a district's records (drafts and `DISTRICT` level) for that district. Deleted
    /// records only for those who may restore them (see the `may_edit_*` functions).
    pub fn may_read(&self, scope: &Scope<'_>) -> bool {
        if self.role == Some(Role::Admin) {
            return true;
        }
        if scope.deleted {
            return false;
        }
        let published_to_me = scope.published
            && match scope.publication {
                Publication::Public => true,
                Publication::Registered => self.signed_in(),
                Publication::District => false,
            };
        published_to_me || self.own(scope.district)
    }

    /// Workshops are documented by admins; by facilitators where they are open beyond one
    /// district (a `DISTRICT`-level workshop is that district's own business); and a
    /// district's own workshops by its coordinators.
    pub fn may_edit_workshop(&self, district: Option<&str>, publication: Publication) -> bool {
        match self.role {
            Some(Role::Admin) => true,
            Some(Role::Facilitator) => publication != Publication::District,
            Some(Role::Coordinator) => self.own(district),
            _ => false,
        }
    }

    /// A district's documents: its coordinators and admins. Documents of no district (ideas and
    /// models recorded at a workshop): facilitators and admins.
    pub fn may_edit_document(&self, district: Option<&str>) -> bool {
        match district {
            Some(ags) => self.can_write_district(ags),
            None => matches!(self.role, Some(Role::Admin | Role::Facilitator)),
        }
    }

    /// A workshop, deleted or not: its editors, and whoever the publication rule lets read it.
    pub fn may_read_workshop(&self, scope: &Scope<'_>) -> bool {
        self.may_edit_workshop(scope.district, scope.publication) || self.may_read(scope)
    }

    /// A document (role profile, idea, model), deleted or draft: its editors, and whoever the
    /// publication rule lets read it.
    pub fn may_read_document(&self, scope: &Scope<'_>) -> bool {
        self.may_edit_document(scope.district) || self.may_read(scope)
    }

    /// A saved revision of a document the reader may read: all of them for the document's
    /// editors; for everyone else only revisions that were readable to them as saved, so a
    /// published profile does not show the drafts before it.
    pub fn may_read_revision(
        &self,
        document: &Scope<'_>,
        publication: Publication,
        published: bool,
    ) -> bool {
        if self.may_edit_document(document.district) {
            return true;
        }
        self.may_read(document)
            && self.may_read(&Scope {
                publication,
                published,
                district: document.district,
                deleted: false,
            })
    }

    /// [`Reader::may_read`] for SQL lists of records that are not deleted.
    pub fn list_filter(&self) -> ListFilter {
        ListFilter {
            everything: self.role == Some(Role::Admin),
            signed_in: self.signed_in(),
            district: self.district.clone(),
        }
    }

    /// The audience terms of the search index this reader belongs to; `None`: all (admins).
    /// A record is a hit iff one of its [`record_audiences`] is among these.
    pub fn audience_terms(&self) -> Option<Vec<String>> {
        if self.role == Some(Role::Admin) {
            return None;
        }
        let mut terms = vec![PUBLIC.to_owned()];
        if self.signed_in() {
            terms.push(REGISTERED.to_owned());
        }
        if let Some(ags) = &self.district {
            terms.push(district_term(ags));
        }
        Some(terms)
    }
}

const PUBLIC: &str = "public";
const REGISTERED: &str = "registered";

fn district_term(ags: &str) -> String {
    format!("district:{ags}")
}

/// The audience terms a search document carries (deleted records are not indexed).
pub fn record_audiences(scope: &Scope<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if scope.published {
        match scope.publication {
            Publication::Public => {
                out.push(PUBLIC.to_owned());
                out.push(REGISTERED.to_owned());
            }
            Publication::Registered => out.push(REGISTERED.to_owned()),
            Publication::District => {}
        }
    }
    if let Some(ags) = scope.district {
        out.push(district_term(ags));
    }
    out
}

impl ListFilter {
    /// What the SQL of a list does, for one record; tests hold the SQL equal to this.
    pub fn admits(&self, scope: &Scope<'_>) -> bool {
        if self.everything {
            return true;
        }
        let published = scope.published
            && (scope.publication == Publication::Public
                || (scope.publication == Publication::Registered && self.signed_in));
        published || (self.district.is_some() && self.district.as_deref() == scope.district)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readers() -> Vec<Reader> {
        let mut r = vec![Reader::anonymous()];
        for role in Role::ALL {
            r.push(Reader::account(*role, None));
            r.push(Reader::account(*role, Some("07111".into())));
        }
        r
    }

    fn scopes() -> Vec<(Publication, Option<&'static str>, bool)> {
        let mut s = Vec::new();
        for p in Publication::ALL {
            for d in [None, Some("07111"), Some("07131")] {
                for published in [true, false] {
                    s.push((*p, d, published));
                }
            }
        }
        s
    }

    /// The SQL filter and the search audiences say what `may_read` says, for every reader and
    /// every record that is not deleted.
    #[test]
    fn every_translation_agrees_with_the_rule() {
        for reader in readers() {
            for (publication, district, published) in scopes() {
                let scope = Scope {
                    publication,
                    district,
                    published,
                    deleted: false,
                };
                let rule = reader.may_read(&scope);
                assert_eq!(
                    reader.list_filter().admits(&scope),
                    rule,
                    "{reader:?} {scope:?}"
                );
                let by_terms = match reader.audience_terms() {
                    None => true,
                    Some(terms) => record_audiences(&scope).iter().any(|t| terms.contains(t)),
                };
                assert_eq!(by_terms, rule, "{reader:?} {scope:?}");
            }
        }
    }

    #[test]
    fn drafts_and_district_records_stay_in_their_district() {
        let draft = Scope {
            publication: Publication::Public,
            district: Some("07111"),
            published: false,
            deleted: false,
        };
        assert!(Reader::account(Role::Coordinator, Some("07111".into())).may_read(&draft));
        assert!(!Reader::account(Role::Coordinator, Some("07131".into())).may_read(&draft));
        assert!(!Reader::account(Role::Ministry, None).may_read(&draft));
        assert!(!Reader::anonymous().may_read(&draft));
    }

    #[test]
    fn facilitators_keep_out_of_a_districts_own_workshops() {
        let f = Reader::account(Role::Facilitator, None);
        assert!(f.may_edit_workshop(None, Publication::Public));
        assert!(f.may_edit_workshop(Some("07111"), Publication::Registered));
        assert!(!f.may_edit_workshop(Some("07111"), Publication::District));
        let own = Scope {
            publication: Publication::District,
            district: Some("07111"),
            published: true,
            deleted: false,
        };
        assert!(!f.may_read_workshop(&own));
        assert!(Reader::account(Role::Coordinator, Some("07111".into())).may_read_workshop(&own));
    }

    #[test]
    fn a_published_profile_keeps_its_drafts_to_its_district() {
        let doc = Scope {
            publication: Publication::Public,
            district: Some("07111"),
            published: true,
            deleted: false,
        };
        let other = Reader::account(Role::Coordinator, Some("07131".into()));
        assert!(!other.may_read_revision(&doc, Publication::Public, false));
        assert!(other.may_read_revision(&doc, Publication::Public, true));
        assert!(!Reader::anonymous().may_read_revision(&doc, Publication::Registered, true));
        let own = Reader::account(Role::Coordinator, Some("07111".into()));
        assert!(own.may_read_revision(&doc, Publication::District, false));
    }

    #[test]
    fn deleted_records_only_for_who_may_restore_them() {
        let gone = Scope {
            publication: Publication::Public,
            district: Some("07111"),
            published: true,
            deleted: true,
        };
        assert!(!Reader::anonymous().may_read_document(&gone));
        assert!(!Reader::account(Role::Coordinator, Some("07131".into())).may_read_document(&gone));
        assert!(Reader::account(Role::Coordinator, Some("07111".into())).may_read_document(&gone));
    }

    #[test]
    fn private_data_for_ministry_and_own_coordinators() {
        assert!(Reader::account(Role::Ministry, None).can_read_private(Some("07111")));
        assert!(Reader::account(Role::Coordinator, Some("07111".into()))
            .can_read_private(Some("07111")));
        assert!(!Reader::account(Role::Coordinator, Some("07111".into()))
            .can_read_private(Some("07131")));
        assert!(!Reader::account(Role::Coordinator, Some("07111".into())).can_read_private(None));
        assert!(!Reader::account(Role::Facilitator, None).can_read_private(Some("07111")));
        assert!(!Reader::anonymous().can_read_private(Some("07111")));
    }
}
