//! Sessions: who a token belongs to, signing in and out, and the sessions
//! a change of account ends.

use super::{Db, Engine, sqlite};
use crate::caller::{Principal, TokenHash, Who};
use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, DeviceId, OfficeId, UserId};

/// A new session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The office.
    pub office: OfficeId,
    /// Who.
    pub user: UserId,
    /// Their counter, if they work one.
    pub counter: Option<CounterId>,
    /// The token's hash.
    pub key: TokenHash,
    /// When.
    pub at: DateTime<Utc>,
    /// Until when.
    pub expires_at: DateTime<Utc>,
}

/// Why a session ended before its time, as `sessions.end_reason` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The person signed out.
    Logout,
    /// Someone else signed in at the same counter.
    TakenOver,
    /// An admin set a new password.
    Password,
    /// An admin disabled the account.
    Disabled,
    /// An admin changed the account's role.
    Role,
    /// An admin took the session's counter off the counters they may work.
    Counters,
}

impl SessionEnd {
    /// Its name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::TakenOver => "taken_over",
            Self::Password => "password",
            Self::Disabled => "disabled",
            Self::Role => "role",
            Self::Counters => "counters",
        }
    }

    /// The reason named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Logout,
            Self::TakenOver,
            Self::Password,
            Self::Disabled,
            Self::Role,
            Self::Counters,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// How a session that no longer works ended, for the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSession {
    /// The office it was of.
    pub office: OfficeId,
    /// Why, if it was ended (none: it expired, or ended before reasons
    /// were kept).
    pub reason: Option<SessionEnd>,
    /// The number of the counter it was at.
    pub counter: Option<u32>,
    /// Whoever now sits at that counter (for a session taken over).
    pub successor: Option<String>,
}

/// The principal of an open session's row.
pub(crate) fn session_principal(
    key: &TokenHash,
    office: i64,
    user: i64,
    counter: Option<i64>,
    expires_at: i64,
    role: &str,
) -> Result<Principal> {
    Ok(Principal {
        key: *key,
        office: OfficeId(office),
        who: Who::User {
            id: UserId(user),
            role: super::role(role)?,
            counter: counter.map(CounterId),
        },
        expires_at: Some(super::time(expires_at)?),
    })
}

/// The principal of a live device's row.
pub(crate) fn device_principal(
    key: &TokenHash,
    id: i64,
    office: i64,
    kind: &str,
    counter: Option<i64>,
) -> Result<Principal> {
    Ok(Principal {
        key: *key,
        office: OfficeId(office),
        who: Who::Device {
            id: DeviceId(id),
            kind: super::kind(kind)?,
            counter: counter.map(CounterId),
        },
        expires_at: None,
    })
}

impl Db {
    /// The tokens other server processes on the database ended (signed
    /// out, taken over, revoked…), as this one hears of them, for its
    /// cache to forget; none on SQLite, whose one process knows already.
    pub fn forgotten(&self) -> Option<tokio::sync::broadcast::Receiver<Vec<TokenHash>>> {
        match &self.engine {
            Engine::Sqlite(_) => None,
            Engine::Postgres(db) => Some(db.forgotten()),
        }
    }

    /// The open session or live device a token hash belongs to at `now`.
    pub async fn principal(
        &self,
        key: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<Principal>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::sessions::principal(&db.read, key, now).await,
            Engine::Postgres(db) => db.principal(key, now).await,
        }
    }

    /// How the session of `key` ended, if it ended or expired by `now`.
    pub async fn ended_session(
        &self,
        key: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<EndedSession>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::sessions::ended_session(&db.read, key, now).await,
            Engine::Postgres(db) => db.ended_session(key, now).await,
        }
    }

    /// Opens a session. Signing in to a counter takes it over: whoever was
    /// signed in there is signed out, and the counter's events name the new
    /// staff member. Returns the tokens that stopped working.
    pub async fn open_session(&self, session: NewSession) -> Result<Vec<TokenHash>> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(
                            async move { sqlite::sessions::open_session(conn, &session).await },
                        )
                    })
                    .await
            }
            Engine::Postgres(db) => db.open_session(&session).await,
        }
    }

    /// Ends the session of `key` (logout) at `at`; its counter no longer
    /// names its staff member.
    pub async fn end_session(&self, key: TokenHash, at: DateTime<Utc>) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move { sqlite::sessions::end_session(conn, &key, at).await })
                    })
                    .await
            }
            Engine::Postgres(db) => db.end_session(&key, at).await,
        }
    }
}
