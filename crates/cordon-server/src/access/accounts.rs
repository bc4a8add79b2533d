//! Account administration (role `admin`): create, list, disable, enable, reset a password.
//! Disabling or resetting ends the account's sessions at once in this process and within
//! seconds in others.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cordon_domain::access::accounts::AccountAdmin;
use cordon_domain::access::{check_role_scope, Role, Scope, Username};
use cordon_store::access::{Account, NewAccount};
use serde::{Deserialize, Serialize};

use crate::auth::sessions::Auth;
use crate::auth::{password, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    pub username: String,
    pub role: String,
    /// A jurisdiction code (`130100`) or checkpoint codes separated by commas.
    pub scope: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// Parses and checks a new account's fields; used by the API and the command line alike.
pub fn parse_new_account(
    username: &str,
    role: &str,
    scope: &str,
) -> Result<(Username, Role, Scope), ApiError> {
    let username = Username::parse(username).map_err(|e| e.under("username"))?;
    let role = Role::parse(role).map_err(|e| e.under("role"))?;
    let scope = Scope::parse(scope).map_err(|e| e.under("scope"))?;
    check_role_scope(role, &scope)?;
    Ok((username, role, scope))
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountRequest,
    responses((status = 201, body = Account), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(auth): State<Arc<Auth>>,
    admin: Grant<AccountAdmin>,
    ApiJson(req): ApiJson<NewAccountRequest>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let (username, role, scope) = parse_new_account(&req.username, &req.role, &req.scope)?;
    password::check_new(&req.password, "password")?;
    let account = auth
        .store
        .create_account(NewAccount {
            username,
            role,
            scope,
            password_hash: password::hash(req.password).await,
            created_by: admin.caller.name().to_owned(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = AccountList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(auth): State<Arc<Auth>>,
    _admin: Grant<AccountAdmin>,
) -> ApiResult<Json<AccountList>> {
    Ok(Json(AccountList {
        accounts: auth.store.list_accounts().await?,
    }))
}

fn name_param(name: &str) -> ApiResult<Username> {
    Username::parse(name).map_err(|e| ApiError::Invalid(e.under("username")))
}

async fn set_disabled(auth: &Auth, name: &str, disabled: bool) -> ApiResult<StatusCode> {
    let name = name_param(name)?;
    let id = auth
        .store
        .set_disabled(name.as_str(), disabled, cordon_domain::time::now_ms())
        .await?;
    auth.forget(None, Some(id));
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{username}/disable", tag = "accounts",
    params(("username" = String, Path, pattern = r"^[a-z][a-z0-9._-]{2,31}$")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable(
    State(auth): State<Arc<Auth>>,
    admin: Grant<AccountAdmin>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    if name == admin.caller.name() {
        return Err(ApiError::invalid(
            "own_account",
            "username",
            "an admin cannot disable their own account",
        ));
    }
    set_disabled(&auth, &name, true).await
}

#[utoipa::path(post, path = "/api/v1/accounts/{username}/enable", tag = "accounts",
    params(("username" = String, Path, pattern = r"^[a-z][a-z0-9._-]{2,31}$")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(
    State(auth): State<Arc<Auth>>,
    _admin: Grant<AccountAdmin>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(&auth, &name, false).await
}

/// Ends an account's sign-in lock (after repeated failures from addresses it is not known at):
/// the owner's way back before the lock's time is up.
#[utoipa::path(post, path = "/api/v1/accounts/{username}/unlock", tag = "accounts",
    params(("username" = String, Path, pattern = r"^[a-z][a-z0-9._-]{2,31}$")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unlock(
    State(auth): State<Arc<Auth>>,
    _admin: Grant<AccountAdmin>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let name = name_param(&name)?;
    auth.store.unlock_account(name.as_str()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{username}/password", tag = "accounts",
    params(("username" = String, Path, pattern = r"^[a-z][a-z0-9._-]{2,31}$")), request_body = PasswordReset,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(auth): State<Arc<Auth>>,
    _admin: Grant<AccountAdmin>,
    Path(name): Path<String>,
    ApiJson(req): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    let name = name_param(&name)?;
    password::check_new(&req.password, "password")?;
    let hash = password::hash(req.password).await;
    let id = auth
        .store
        .set_password(name.as_str(), hash, cordon_domain::time::now_ms())
        .await?;
    auth.forget(None, Some(id));
    Ok(StatusCode::NO_CONTENT)
}
