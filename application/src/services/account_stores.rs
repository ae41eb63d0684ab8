//! The stores an OAuth flow finds, joins and creates accounts through.

use std::sync::Arc;

use crate::ports::{OAuthIdentityRepository, UserRepository};

/// The accounts and the provider identities bound to them: an OAuth login
/// reads both, and a first login creates the account with its identity.
#[derive(Clone)]
pub struct AccountStores {
    pub users: Arc<dyn UserRepository>,
    pub identities: Arc<dyn OAuthIdentityRepository>,
}
