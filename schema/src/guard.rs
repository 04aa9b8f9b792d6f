use async_graphql::{Context, Guard};
use srb_storage::Role;

use crate::ctx_viewer;
use crate::error::forbidden;

/// Lets a field through only for signed-in users of the given roles. District-scoped checks
/// follow inside the resolver, where the district is known.
pub struct RoleGuard(&'static [Role]);

impl RoleGuard {
    /// Roles that may change district records at all (coordinators: only their own district).
    pub fn writers() -> Self {
        RoleGuard(&[Role::Admin, Role::Coordinator])
    }

    /// Roles that may read non-public district data.
    pub fn private_readers() -> Self {
        RoleGuard(&[Role::Admin, Role::Ministry, Role::Coordinator])
    }

    /// The state's own data (the state key): the ministry and admins.
    pub fn state() -> Self {
        RoleGuard(&[Role::Admin, Role::Ministry])
    }

    /// Roles that may write to the knowledge store at all: admins, facilitators (workshops,
    /// ideas of no district) and coordinators (their district's records).
    pub fn knowledge_editors() -> Self {
        RoleGuard(&[Role::Admin, Role::Facilitator, Role::Coordinator])
    }

    pub fn signed_in() -> Self {
        RoleGuard(Role::ALL)
    }
}

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let user = ctx_viewer(ctx).require_user()?;
        if self.0.contains(&user.role) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }
}
