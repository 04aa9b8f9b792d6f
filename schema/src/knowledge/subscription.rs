//! `contributionAdded`: live capture, authorised again on every event.

use async_graphql::{Context, Subscription, ID};
use futures_util::Stream;
use srb_storage as st;

use crate::auth::Viewer;
use crate::error::{error, Code, OrGqlError};
use crate::ids::{self, NodeType};
use crate::{ctx_storage, ctx_viewer};

use super::*;

// ---------------------------------------------------------------------------------------------
// Subscriptions

#[derive(Default)]
pub struct KnowledgeSubscription;

#[Subscription]
impl KnowledgeSubscription {
    /// Jeder neue Beitrag des Programmpunkts, sobald er gespeichert ist, in der Reihenfolge des
    /// Speicherns. Berechtigt wie das Lesen des Workshops.
    pub(crate) async fn contribution_added(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Contribution>>> {
        let sid = ids::expect(&session_id, NodeType::WorkshopSession, "sessionId")?;
        let storage = ctx_storage(ctx).clone();
        // Subscribe first, then check: nothing committed in between is missed.
        let events = storage.contribution_events().await.gql()?;
        let viewer = ctx_viewer(ctx);
        match visible_session(ctx, sid).await {
            Ok(_) => {}
            Err(e) if crate::error::is_not_found(&e) && viewer.user.is_none() => {
                // Anonymous callers learn only that they must sign in.
                return Err(crate::error::unauthenticated());
            }
            Err(e) => return Err(e),
        }
        let viewer = viewer.clone();
        // `Some(true)`: the stream has sent its closing reason and ends with the next poll.
        Ok(futures_util::stream::unfold(
            (events, storage, viewer, false),
            move |(mut events, storage, viewer, closed)| async move {
                if closed {
                    return None;
                }
                loop {
                    match events.recv().await {
                        Ok(e) if e.session_id == sid => {
                            // Authorised again for every event: a revoked token or a workshop
                            // made private ends the stream with its reason.
                            if let Err(reason) = still_allowed(storage.as_ref(), &viewer, sid).await
                            {
                                return Some((Err(reason), (events, storage, viewer, true)));
                            }
                            let item =
                                match storage.contributions_by_ids(&[e.contribution_id]).await {
                                    Ok(mut rows) => match rows.pop() {
                                        Some(c) if c.deleted_at.is_none() => Ok(Contribution(c)),
                                        _ => continue,
                                    },
                                    Err(err) => Err(crate::error::from_storage(err)),
                                };
                            return Some((item, (events, storage, viewer, false)));
                        }
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            let item = Err(error(
                                Code::Internal,
                                format!(
                                    "{n} Beiträge konnten nicht rechtzeitig zugestellt werden; \
                                     bitte die Liste neu laden."
                                ),
                            ));
                            return Some((item, (events, storage, viewer, false)));
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}

/// Whether the subscriber may still read the session: the token is looked up again (it may
/// have been revoked, the account's role changed) and the session and its workshop are read
/// afresh (either may have been deleted or made private).
pub(crate) async fn still_allowed(
    storage: &dyn st::Storage,
    viewer: &Viewer,
    session_id: i64,
) -> async_graphql::Result<()> {
    let expired = || {
        error(
            Code::Unauthenticated,
            "Die Anmeldung ist abgelaufen oder wurde widerrufen; \
             die Live-Mitschrift wurde beendet.",
        )
    };
    let viewer = match (&viewer.token_hash, &viewer.session_hash) {
        (Some(hash), _) => match storage
            .user_by_token_hash(hash, chrono::Utc::now())
            .await
            .gql()?
        {
            Some((user, _)) => Viewer::user(user, Some(hash.clone())),
            None => return Err(expired()),
        },
        (None, Some(hash)) => match storage
            .user_by_web_session(hash, chrono::Utc::now())
            .await
            .gql()?
        {
            Some(user) => Viewer::session(user, hash.clone()),
            None => return Err(expired()),
        },
        (None, None) => viewer.clone(),
    };
    let gone = || {
        error(
            Code::NotFound,
            "Der Programmpunkt ist nicht mehr sichtbar; die Live-Mitschrift wurde beendet.",
        )
    };
    let session = storage
        .sessions_by_ids(&[session_id])
        .await
        .gql()?
        .pop()
        .ok_or_else(gone)?;
    let workshop = storage
        .workshops_by_ids(&[session.workshop_id])
        .await
        .gql()?
        .pop()
        .ok_or_else(gone)?;
    if session_readable(&viewer, &session, &workshop) {
        Ok(())
    } else {
        Err(gone())
    }
}
