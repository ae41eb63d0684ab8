use application::ports::{RepoError, UserRepository};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Email, Gender, LoginIdentifier, Mobile, NewUser, Profile, User, UserId};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, SqlSafeStr};

use crate::persistence::sql_error::repo_error;

const COLUMNS: &str = "id, username, mobile, email, email_active, password_hash, nickname, avatar, gender, \
                       birthday, address, signature, date_joined, last_login, token_version";

/// Accounts in SQLite; the unique indexes decide races on username, mobile and email.
#[derive(Clone)]
pub struct SqliteUserRepository {
    pool: SqlitePool,
}

impl SqliteUserRepository {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    async fn find_one(&self, condition: &'static str, value: &str) -> Result<Option<User>, RepoError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE {condition} = ?"));
        let row = sqlx::query(sql.into_sql_str()).bind(value).fetch_optional(&self.pool).await.map_err(repo_error)?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    async fn exists(&self, condition: &'static str, value: &str) -> Result<bool, RepoError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM users WHERE {condition} = ?)"));
        sqlx::query_scalar::<_, bool>(sql.into_sql_str()).bind(value).fetch_one(&self.pool).await.map_err(repo_error)
    }
}

fn corrupt(column: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {column} is unusable: {detail}"))
}

fn user_from_row(row: &SqliteRow) -> Result<User, RepoError> {
    let get_err = |e: sqlx::Error| RepoError::Other(e.to_string());
    let mobile: Option<String> = row.try_get("mobile").map_err(get_err)?;
    let email: Option<String> = row.try_get("email").map_err(get_err)?;
    let gender: String = row.try_get("gender").map_err(get_err)?;
    Ok(User {
        id: UserId(row.try_get("id").map_err(get_err)?),
        username: row.try_get("username").map_err(get_err)?,
        mobile: mobile.map(|m| Mobile::parse(&m).map_err(|e| corrupt("mobile", e))).transpose()?,
        email: email.map(|e| Email::parse(&e).map_err(|e| corrupt("email", e))).transpose()?,
        email_active: row.try_get("email_active").map_err(get_err)?,
        password_hash: row.try_get("password_hash").map_err(get_err)?,
        profile: Profile {
            nickname: row.try_get("nickname").map_err(get_err)?,
            avatar: row.try_get("avatar").map_err(get_err)?,
            gender: Gender::parse(&gender).ok_or_else(|| corrupt("gender", &gender))?,
            birthday: row.try_get::<Option<NaiveDate>, _>("birthday").map_err(get_err)?,
            address: row.try_get("address").map_err(get_err)?,
            signature: row.try_get("signature").map_err(get_err)?,
        },
        date_joined: row.try_get::<DateTime<Utc>, _>("date_joined").map_err(get_err)?,
        last_login: row.try_get::<Option<DateTime<Utc>>, _>("last_login").map_err(get_err)?,
        token_version: row.try_get("token_version").map_err(get_err)?,
    })
}

#[async_trait]
impl UserRepository for SqliteUserRepository {
    async fn insert(&self, user: NewUser) -> Result<User, RepoError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (username, mobile, email, password_hash, date_joined) \
             VALUES (?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ));
        let row = sqlx::query(sql.into_sql_str())
            .bind(&user.username)
            .bind(user.mobile.as_ref().map(Mobile::as_str))
            .bind(user.email.as_ref().map(Email::as_str))
            .bind(&user.password_hash)
            .bind(user.date_joined)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_error)?;
        user_from_row(&row)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = ?"));
        let row = sqlx::query(sql.into_sql_str()).bind(id.0).fetch_optional(&self.pool).await.map_err(repo_error)?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    async fn find_by_login(&self, identifier: &LoginIdentifier) -> Result<Option<User>, RepoError> {
        match identifier {
            LoginIdentifier::Username(name) => self.find_one("username", name).await,
            LoginIdentifier::Mobile(mobile) => self.find_one("mobile", mobile.as_str()).await,
            LoginIdentifier::Email(email) => self.find_one("email", email.as_str()).await,
        }
    }

    async fn username_exists(&self, username: &str) -> Result<bool, RepoError> {
        self.exists("username", username).await
    }

    async fn mobile_exists(&self, mobile: &Mobile) -> Result<bool, RepoError> {
        self.exists("mobile", mobile.as_str()).await
    }

    async fn email_exists(&self, email: &Email) -> Result<bool, RepoError> {
        self.exists("email", email.as_str()).await
    }
}
