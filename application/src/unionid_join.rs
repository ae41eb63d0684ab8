//! One person, one account: an identity first seen on one app of a provider
//! joins the account its unionid already has on another.

use chrono::{DateTime, Utc};
use domain::UserId;

use crate::ports::{NewIdentity, OAuthIdentityRepository, RepoError};
use crate::{AppError, Field};

/// The user the identity's unionid already belongs to within its provider's
/// family, with the identity now bound to them too; `None` when the unionid is
/// absent or new.
pub(crate) async fn join_by_unionid(
    identities: &dyn OAuthIdentityRepository,
    identity: &NewIdentity,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, AppError> {
    let Some(unionid) = &identity.unionid else { return Ok(None) };
    let family = identity.key.provider.unionid_family();
    let Some(user_id) = identities.find_by_unionid(family, unionid).await? else { return Ok(None) };
    match identities.bind(identity, user_id, now).await {
        // A concurrent first login bound it already: to the same person.
        Ok(()) | Err(RepoError::Conflict(Field::AccessToken)) => Ok(Some(user_id)),
        Err(other) => Err(other.into()),
    }
}
