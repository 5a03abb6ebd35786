//! The office's people: their accounts, roles, counters and passwords.

use super::{Db, Engine, sqlite};
use crate::caller::TokenHash;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, OfficeId, Role, UserId, UserRequest, UserView};

/// Whether `name` has a user name's shape: 2-32 of `a-z 0-9 . _ -`.
pub fn is_username(name: &str) -> bool {
    (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// A new user of an office.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The office.
    pub office: OfficeId,
    /// Sign-in name.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Argon2 hash of the password.
    pub password_hash: String,
}

impl Db {
    /// A user of an office by name, with their password hash (none if
    /// unset); disabled users are not found.
    pub async fn user_by_name(
        &self,
        office: OfficeId,
        username: &str,
    ) -> Result<Option<(UserView, Option<String>)>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::users::user_by_name(&db.read, office, username).await,
            Engine::Postgres(db) => db.user_by_name(office, username).await,
        }
    }

    /// A user by id, with their counters.
    pub async fn user(&self, id: UserId) -> Result<UserView> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::users::user(&db.read, id).await,
            Engine::Postgres(db) => db.user(id).await,
        }
    }

    /// The counters `user` may work (empty: any).
    pub async fn counters_of(&self, user: UserId) -> Result<Vec<CounterId>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::users::counters_of(&db.read, user).await,
            Engine::Postgres(db) => db.counters_of(user).await,
        }
    }

    /// Every user of an office (not the province's admins), by name.
    pub async fn users(&self, office: OfficeId) -> Result<Vec<UserView>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::users::users(&db.read, office).await,
            Engine::Postgres(db) => db.users(office).await,
        }
    }

    /// Creates a user; a name already taken in the office is refused
    /// (`already_exists`).
    pub async fn create_user(&self, user: NewUser) -> Result<UserId> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move { sqlite::users::create_user(conn, &user).await })
                    })
                    .await
            }
            Engine::Postgres(db) => db.create_user(&user).await,
        }
    }

    /// Changes a user's name, role and counters, and disables or enables
    /// them, by `admin` at `at`. Every open session the change makes wrong
    /// ends with it: all of them when the account is disabled or its role
    /// changes, those at a counter no longer allowed when its counters
    /// change. Returns the ended sessions' hashes, for the cache to forget.
    pub async fn update_user(
        &self,
        office: OfficeId,
        user: UserId,
        change: UserRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Vec<TokenHash>> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::users::update_user(conn, office, user, &change, admin, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.update_user(office, user, &change, admin, at).await,
        }
    }

    /// Sets the password of a user of `office` and ends their sessions
    /// (returned, for the cache to forget). A province admin is the
    /// province's: an office admin cannot set theirs (not found).
    pub async fn set_password(
        &self,
        office: OfficeId,
        user: UserId,
        password_hash: String,
        at: DateTime<Utc>,
    ) -> Result<Vec<TokenHash>> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            if !sqlite::users::set_password(conn, office, user, &password_hash)
                                .await?
                            {
                                return Err(Error::NotFound("user"));
                            }
                            sqlite::sessions::end_sessions_of(
                                conn,
                                user,
                                super::sessions::SessionEnd::Password,
                                at,
                            )
                            .await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.set_password(office, user, &password_hash, at).await,
        }
    }
}
