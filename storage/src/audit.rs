//! The audit trail: every write's record, read back.

use async_trait::async_trait;

use crate::model::*;
use crate::Result;

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn audit_entries(&self, filter: &AuditFilter, page: Page) -> Result<PageOf<AuditEntry>>;
}
