//! Accounts: who is signed in (`me`), signing in and out, API tokens.

use async_graphql::{ComplexObject, Context, ErrorExtensions, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use srb_app::accounts::SignInError;

use crate::auth::new_token;
use crate::error::{bad_input, error, Code, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::records::{district_by_ags, District, Role};
use crate::{ctx_storage, ctx_viewer};
use srb_storage as st;

/// Ein Benutzerkonto.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    #[graphql(skip)]
    pub inner: st::User,
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
}

impl From<st::User> for User {
    fn from(u: st::User) -> Self {
        Self {
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.into(),
            inner: u,
        }
    }
}

#[ComplexObject]
impl User {
    /// Der Bezirk einer Koordinationskraft.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        match &self.inner.district_ags {
            Some(ags) => Ok(Some(district_by_ags(ctx, ags).await?)),
            None => Ok(None),
        }
    }

    /// Die API-Tokens des Kontos, neueste zuerst; nur für das eigene Konto.
    async fn api_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        if ctx_viewer(ctx).user_id() != Some(self.inner.id) {
            return Err(crate::error::forbidden());
        }
        tokens_of(ctx, self.inner.id).await
    }
}

/// The longest label of an API token.
const LABEL_MAX: usize = 100;

/// Ein API-Token des eigenen Kontos (ohne das Geheimnis, das nur beim Anlegen gezeigt wird).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ApiToken {
    #[graphql(skip)]
    pub inner: srb_storage::ApiToken,
    /// Wofür das Token gedacht ist.
    pub label: String,
    pub created_at: DateTime<Utc>,
    /// Wann es widerrufen wurde; leer, solange es gilt.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Ab wann es nicht mehr gilt.
    pub expires_at: Option<DateTime<Utc>>,
    /// Wann es zuletzt benutzt wurde (auf die Minute); leer, wenn noch nie.
    pub last_used_at: Option<DateTime<Utc>>,
}

#[ComplexObject]
impl ApiToken {
    async fn id(&self) -> ID {
        ids::encode(NodeType::ApiToken, self.inner.id)
    }
}

impl From<srb_storage::ApiToken> for ApiToken {
    fn from(t: srb_storage::ApiToken) -> Self {
        Self {
            label: t.label.clone(),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            inner: t,
        }
    }
}

/// Ein neues API-Token: das Geheimnis wird nur dieses eine Mal gezeigt.
#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    /// Als `Authorization: Bearer <token>` mitsenden.
    pub token: String,
    pub api_token: ApiToken,
}

/// The API tokens of the signed-in account (`User.apiTokens` asks this for the caller only).
pub(crate) async fn tokens_of(
    ctx: &Context<'_>,
    user_id: i64,
) -> async_graphql::Result<Vec<ApiToken>> {
    Ok(ctx_storage(ctx)
        .tokens_of_user(user_id)
        .await
        .gql()?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Das angemeldete Konto; leer ohne Anmeldung.
    async fn me(&self, ctx: &Context<'_>) -> Option<User> {
        ctx_viewer(ctx).user.as_deref().cloned().map(User::from)
    }
}

/// Ergebnis einer Anmeldung: das API-Token wird nur dieses eine Mal gezeigt.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Als `Authorization: Bearer <token>` mitsenden.
    pub token: String,
    pub user: User,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Anmeldung mit E-Mail-Adresse und Passwort. Nach wiederholten Fehlversuchen wartet die
    /// nächste Anmeldung eine wachsende Zeit (RATE_LIMITED, `extensions.retryAfterSeconds`).
    #[graphql(complexity = "crate::shared::COST_PASSWORD + child_complexity")]
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let storage = ctx_storage(ctx);
        let client = ctx.data_opt::<srb_app::accounts::ClientAddr>().copied();
        let user = srb_app::accounts::sign_in(storage.as_ref(), &email, &password, client)
            .await
            .map_err(|e| match e {
                SignInError::RateLimited { .. } | SignInError::Busy => {
                    let seconds = e.retry_after_s().unwrap_or(1);
                    error(Code::RateLimited, e.to_string())
                        .extend_with(|_, ext| ext.set("retryAfterSeconds", seconds))
                }
                SignInError::WrongCredentials => error(Code::Unauthenticated, e.to_string()),
                SignInError::Storage(e) => crate::error::from_storage(e),
            })?;
        let now = Utc::now();
        let (token, hash) = new_token();
        storage
            .create_token(
                user.id,
                &hash,
                &format!("Anmeldung {}", now.format("%Y-%m-%d %H:%M")),
                now + chrono::Duration::days(srb_app::accounts::LOGIN_TOKEN_DAYS),
            )
            .await
            .gql()?;
        Ok(LoginPayload {
            token,
            user: user.into(),
        })
    }

    /// Legt ein API-Token für das eigene Konto an, etwa für ein Skript oder ein Fachverfahren.
    /// Es gilt `expiresInDays` Tage (1 bis 365, ohne Angabe 90).
    #[graphql(guard = "RoleGuard::signed_in()")]
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        label: String,
        expires_in_days: Option<i32>,
    ) -> async_graphql::Result<CreateApiTokenPayload> {
        let user = ctx_viewer(ctx).require_user()?;
        let days = expires_in_days.map_or(srb_app::accounts::TOKEN_DAYS, i64::from);
        let expires_at = srb_app::accounts::token_expiry(days)
            .map_err(|message| bad_input("expiresInDays", message))?;
        let label = label.trim();
        if label.is_empty() {
            return Err(bad_input("label", "Bitte eine Bezeichnung angeben."));
        }
        if label.chars().count() > LABEL_MAX {
            return Err(bad_input(
                "label",
                format!("Die Bezeichnung darf höchstens {LABEL_MAX} Zeichen lang sein."),
            ));
        }
        let storage = ctx_storage(ctx);
        let (token, hash) = new_token();
        let id = storage
            .create_token(user.id, &hash, label, expires_at)
            .await
            .gql()?;
        let api_token = storage
            .tokens_of_user(user.id)
            .await
            .gql()?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| crate::error::internal("token vanished after insert"))?;
        Ok(CreateApiTokenPayload {
            token,
            api_token: api_token.into(),
        })
    }

    /// Widerruft eines der eigenen API-Tokens; es gilt sofort nicht mehr.
    #[graphql(guard = "RoleGuard::signed_in()")]
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiToken> {
        let user = ctx_viewer(ctx).require_user()?;
        let token_id = ids::expect(&id, NodeType::ApiToken, "id")?;
        let storage = ctx_storage(ctx);
        let tokens = storage.tokens_of_user(user.id).await.gql()?;
        let Some(found) = tokens.into_iter().find(|t| t.id == token_id) else {
            return Err(error(
                Code::NotFound,
                "Dieses Token gibt es im eigenen Konto nicht.",
            ));
        };
        if found.revoked_at.is_none() {
            storage
                .revoke_token_of_user(user.id, token_id)
                .await
                .gql()?;
        }
        let token = storage
            .tokens_of_user(user.id)
            .await
            .gql()?
            .into_iter()
            .find(|t| t.id == token_id)
            .unwrap_or(found);
        Ok(token.into())
    }

    /// Widerruft das Token, mit dem diese Anfrage kam.
    #[graphql(guard = "RoleGuard::signed_in()")]
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        match &ctx_viewer(ctx).token_hash {
            Some(hash) => ctx_storage(ctx).revoke_token(hash).await.gql(),
            None => Ok(false),
        }
    }
}
