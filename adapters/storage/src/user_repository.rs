use application::ports::{RepoError, UserRepository};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Email, Gender, LoginIdentifier, Mobile, NewUser, Profile, User, UserId};
use sqlx::Row;

use super::sql_error::repo_error;
use application::ports::{TakenNameRow, TakenNameSource};

pub(crate) const COLUMNS: &str = "id, username, mobile, email, pending_email, password_hash, nickname, avatar, gender, \
                       birthday, address, signature, date_joined, last_login, token_version";

/// A new account's row, its values bound by `bind_new_user`.
pub(crate) const INSERT_USER: &str = "INSERT INTO users (username, mobile, email, email_active, pending_email, \
                       password_hash, date_joined) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(crate) fn corrupt(column: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {column} is unusable: {detail}"))
}

/// One implementation of [`UserRepository`] per sqlx backend; the SQL is the
/// same for both, the row and pool types differ.
macro_rules! sql_user_repository {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty, $row:ty) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            async fn find_where(&self, condition: &'static str, value: &str) -> Result<Option<User>, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE {condition}"));
                let row = sqlx::query(sql).bind(value).fetch_optional(&self.pool).await.map_err(repo_error)?;
                row.map(|row| Self::user_from_row(&row)).transpose()
            }

            async fn exists_where(&self, condition: &'static str, value: &str) -> Result<bool, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM users WHERE {condition})"));
                sqlx::query_scalar::<_, bool>(sql).bind(value).fetch_one(&self.pool).await.map_err(repo_error)
            }

            /// Binds a new account's values to `$1`..`$7` of [`INSERT_USER`].
            pub(crate) fn bind_new_user<'q>(
                query: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
                user: &'q NewUser,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
                // An unproven address waits as the pending one: only verified
                // addresses go where the unique index looks.
                let (verified, pending) =
                    if user.email_active { (user.email.as_ref(), None) } else { (None, user.email.as_ref()) };
                query
                    .bind(&user.username)
                    .bind(user.mobile.as_ref().map(Mobile::as_str))
                    .bind(verified.map(Email::as_str))
                    .bind(verified.is_some())
                    .bind(pending.map(Email::as_str))
                    .bind(&user.password_hash)
                    .bind(user.date_joined)
            }

            /// Inserts an account on any executor: the pool, or a transaction
            /// that stores more with it (a new user with its OAuth identity).
            pub(crate) async fn insert_with<'e, E>(executor: E, user: &NewUser) -> Result<User, RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let sql = sqlx::AssertSqlSafe(format!("{INSERT_USER} RETURNING {COLUMNS}"));
                let row = Self::bind_new_user(sqlx::query(sql), user)
                    .fetch_one(executor)
                    .await
                    .map_err(repo_error)?;
                Self::user_from_row(&row)
            }

            /// Sets the pending email on any executor (the transaction of an
            /// email change); the address already verified clears it instead.
            pub(crate) async fn set_email_with<'e, E>(
                executor: E,
                id: UserId,
                email: &Email,
            ) -> Result<Option<User>, RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                // The verified address stays until the new one is verified, so
                // the person can still log in and recover the password with it.
                let sql = sqlx::AssertSqlSafe(format!(
                    "UPDATE users SET pending_email = CASE WHEN email = $1 THEN NULL ELSE $1 END \
                     WHERE id = $2 RETURNING {COLUMNS}"
                ));
                let row = sqlx::query(sql)
                    .bind(email.as_str())
                    .bind(id.0)
                    .fetch_optional(executor)
                    .await
                    .map_err(repo_error)?;
                row.map(|row| Self::user_from_row(&row)).transpose()
            }

            /// Replaces the password hash on any executor (the transaction of a
            /// password change); `false` when the user does not exist.
            pub(crate) async fn update_password_hash_with<'e, E>(
                executor: E,
                id: UserId,
                hash: &str,
            ) -> Result<bool, RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(id.0)
                    .execute(executor)
                    .await
                    .map(|done| done.rows_affected() > 0)
                    .map_err(repo_error)
            }

            pub(crate) fn user_from_row(row: &$row) -> Result<User, RepoError> {
                let get = |e: sqlx::Error| RepoError::Other(e.to_string());
                let mobile: Option<String> = row.try_get("mobile").map_err(get)?;
                let email: Option<String> = row.try_get("email").map_err(get)?;
                let pending_email: Option<String> = row.try_get("pending_email").map_err(get)?;
                let gender: String = row.try_get("gender").map_err(get)?;
                Ok(User {
                    id: UserId(row.try_get("id").map_err(get)?),
                    username: row.try_get("username").map_err(get)?,
                    mobile: mobile.map(|m| Mobile::parse(&m).map_err(|e| corrupt("mobile", e))).transpose()?,
                    email: email.map(|e| Email::parse(&e).map_err(|e| corrupt("email", e))).transpose()?,
                    pending_email: pending_email
                        .map(|e| Email::parse(&e).map_err(|e| corrupt("pending_email", e)))
                        .transpose()?,
                    password_hash: row.try_get("password_hash").map_err(get)?,
                    profile: Profile {
                        nickname: row.try_get("nickname").map_err(get)?,
                        avatar: row.try_get("avatar").map_err(get)?,
                        gender: Gender::parse(&gender).ok_or_else(|| corrupt("gender", &gender))?,
                        birthday: row.try_get::<Option<NaiveDate>, _>("birthday").map_err(get)?,
                        address: row.try_get("address").map_err(get)?,
                        signature: row.try_get("signature").map_err(get)?,
                    },
                    date_joined: row.try_get::<DateTime<Utc>, _>("date_joined").map_err(get)?,
                    last_login: row.try_get::<Option<DateTime<Utc>>, _>("last_login").map_err(get)?,
                    token_version: row.try_get("token_version").map_err(get)?,
                })
            }
        }

        #[async_trait]
        impl UserRepository for $name {
            async fn insert(&self, user: NewUser) -> Result<User, RepoError> {
                Self::insert_with(&self.pool, &user).await
            }

            async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = $1"));
                let row = sqlx::query(sql).bind(id.0).fetch_optional(&self.pool).await.map_err(repo_error)?;
                row.map(|row| Self::user_from_row(&row)).transpose()
            }

            async fn find_by_login(&self, identifier: &LoginIdentifier) -> Result<Option<User>, RepoError> {
                match identifier {
                    LoginIdentifier::Username(name) => self.find_where("lower(username) = lower($1)", name).await,
                    LoginIdentifier::Mobile(mobile) => self.find_where("mobile = $1", mobile.as_str()).await,
                    LoginIdentifier::Email(email) => self.find_where("email = $1", email.as_str()).await,
                }
            }

            async fn username_exists(&self, username: &str) -> Result<bool, RepoError> {
                self.exists_where("lower(username) = lower($1)", username).await
            }

            async fn mobile_exists(&self, mobile: &Mobile) -> Result<bool, RepoError> {
                self.exists_where("mobile = $1", mobile.as_str()).await
            }

            async fn email_exists(&self, email: &Email) -> Result<bool, RepoError> {
                self.exists_where("email = $1", email.as_str()).await
            }

            async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<Option<User>, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!(
                    "UPDATE users SET nickname = $1, avatar = $2, gender = $3, birthday = $4, address = $5, \
                     signature = $6 WHERE id = $7 RETURNING {COLUMNS}"
                ));
                let row = sqlx::query(sql)
                    .bind(&profile.nickname)
                    .bind(&profile.avatar)
                    .bind(profile.gender.as_str())
                    .bind(profile.birthday)
                    .bind(&profile.address)
                    .bind(&profile.signature)
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(repo_error)?;
                row.map(|row| Self::user_from_row(&row)).transpose()
            }

            async fn set_mobile(&self, id: UserId, mobile: &Mobile) -> Result<Option<User>, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!("UPDATE users SET mobile = $1 WHERE id = $2 RETURNING {COLUMNS}"));
                let row = sqlx::query(sql)
                    .bind(mobile.as_str())
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(repo_error)?;
                row.map(|row| Self::user_from_row(&row)).transpose()
            }

            async fn activate_email(&self, id: UserId, email: &Email, version: i64) -> Result<bool, RepoError> {
                // One statement, so the unique index decides between two
                // accounts verifying one address at the same moment.
                let verified = sqlx::query(
                    "UPDATE users SET email = $2, email_active = TRUE, pending_email = NULL \
                     WHERE id = $1 AND token_version = $3 AND pending_email = $2",
                )
                .bind(id.0)
                .bind(email.as_str())
                .bind(version)
                .execute(&self.pool)
                .await
                .map_err(repo_error)?
                .rows_affected()
                    > 0;
                if verified {
                    return Ok(true);
                }
                // A link opened again finds its address verified already.
                sqlx::query_scalar::<_, bool>(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND token_version = $3 AND email = $2)",
                )
                .bind(id.0)
                .bind(email.as_str())
                .bind(version)
                .fetch_one(&self.pool)
                .await
                .map_err(repo_error)
            }

            async fn discard_pending_email(&self, id: UserId) -> Result<Option<User>, RepoError> {
                let sql =
                    sqlx::AssertSqlSafe(format!("UPDATE users SET pending_email = NULL WHERE id = $1 RETURNING {COLUMNS}"));
                let row = sqlx::query(sql).bind(id.0).fetch_optional(&self.pool).await.map_err(repo_error)?;
                row.map(|row| Self::user_from_row(&row)).transpose()
            }

            async fn update_password_hash(&self, id: UserId, hash: &str) -> Result<(), RepoError> {
                Self::update_password_hash_with(&self.pool, id, hash).await.map(|_| ())
            }
        }

        /// The taken names are the unique columns of this table, read in pages
        /// to build the availability filter.
        #[async_trait]
        impl TakenNameSource for $name {
            async fn count(&self) -> Result<u64, RepoError> {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await.map_err(repo_error)?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn page(&self, after: i64, limit: u32) -> Result<Vec<TakenNameRow>, RepoError> {
                let rows = sqlx::query("SELECT id, username, mobile, email FROM users WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(repo_error)?;
                rows.iter()
                    .map(|row| {
                        Ok(TakenNameRow {
                            id: row.try_get("id").map_err(repo_error)?,
                            username: row.try_get("username").map_err(repo_error)?,
                            mobile: row.try_get("mobile").map_err(repo_error)?,
                            email: row.try_get("email").map_err(repo_error)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

sql_user_repository!(
    /// Accounts in SQLite; the unique indexes decide races on username, mobile and email.
    SqliteUserRepository,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow
);

sql_user_repository!(
    /// Accounts in PostgreSQL; the unique indexes decide races on username, mobile and email.
    PostgresUserRepository,
    crate::PostgresPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow
);
