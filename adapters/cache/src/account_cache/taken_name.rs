use domain::NewUser;

/// A username, mobile or email as stored and as the database compares it:
/// usernames case-insensitively, mobiles and (lower-cased) emails exactly.
#[derive(Debug, Clone, Copy)]
pub enum TakenName<'a> {
    Username(&'a str),
    Mobile(&'a str),
    Email(&'a str),
}

/// The names a new account takes, owned, so they can be told before the
/// account is handed to the store and again after.
pub struct NewUserNames {
    username: String,
    mobile: Option<String>,
    email: Option<String>,
}

impl NewUserNames {
    pub fn of(user: &NewUser) -> Self {
        Self {
            username: user.username.clone(),
            mobile: user.mobile.as_ref().map(|m| m.as_str().to_owned()),
            email: user.email.as_ref().map(|e| e.as_str().to_owned()),
        }
    }

    pub fn list(&self) -> Vec<TakenName<'_>> {
        let mut names = vec![TakenName::Username(&self.username)];
        names.extend(self.mobile.as_deref().map(TakenName::Mobile));
        names.extend(self.email.as_deref().map(TakenName::Email));
        names
    }
}
