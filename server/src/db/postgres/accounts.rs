//! Sessions and users on PostgreSQL: who a token is, signing in and out,
//! and an office's people as its admin changes them.

use super::Postgres;
use super::events::settings;
use crate::caller::{Principal, TokenHash};
use crate::db::sessions::{
    EndedSession, NewSession, SessionEnd, device_principal, session_principal,
};
use crate::db::users::NewUser;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, OfficeId, UserId, UserRequest, UserView};
use layso_store_postgres::{sessions, setup, users};

impl Postgres {
    pub(in crate::db) async fn principal(
        &self,
        key: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<Principal>> {
        if let Some(s) = sessions::session(&self.pool, &key[..], now.timestamp_millis()).await? {
            return session_principal(
                key,
                s.office_id,
                s.user_id,
                s.counter_id,
                s.expires_at,
                &s.role,
            )
            .map(Some);
        }
        sessions::device(&self.pool, &key[..])
            .await?
            .map(|d| device_principal(key, d.id, d.office_id, &d.kind, d.counter_id))
            .transpose()
    }

    pub(in crate::db) async fn ended_session(
        &self,
        key: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<EndedSession>> {
        Ok(
            sessions::ended(&self.pool, &key[..], now.timestamp_millis())
                .await?
                .map(|(office, reason, counter, successor)| EndedSession {
                    office: OfficeId(office),
                    reason: reason.as_deref().and_then(SessionEnd::parse),
                    counter: counter.and_then(|n| u32::try_from(n).ok()),
                    successor,
                }),
        )
    }

    pub(in crate::db) async fn open_session(&self, s: &NewSession) -> Result<Vec<TokenHash>> {
        let at = s.at.timestamp_millis();
        let mut tx = self.pool.begin().await?;
        let mut ended = Vec::new();
        if let Some(counter) = s.counter {
            if sessions::counter_office(&mut tx, counter.0).await? != Some(s.office.0) {
                return Err(Error::NotFound("counter"));
            }
            let reason = SessionEnd::TakenOver.as_str();
            ended = sessions::take_counter(&mut tx, counter.0, s.user.0, reason, at).await?;
        }
        sessions::insert(
            &mut tx,
            s.office.0,
            &s.key[..],
            s.user.0,
            s.counter.map(|c| c.0),
            at,
            s.expires_at.timestamp_millis(),
        )
        .await?;
        sessions::invalidate(&mut tx, &ended).await?;
        tx.commit().await?;
        Ok(token_hashes(&ended))
    }

    pub(in crate::db) async fn end_session(
        &self,
        key: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let reason = SessionEnd::Logout.as_str();
        if let Some((user, Some(counter))) =
            sessions::end(&mut tx, &key[..], reason, at.timestamp_millis()).await?
        {
            sessions::leave_counter(&mut tx, counter, user).await?;
        }
        sessions::invalidate(&mut tx, &[key.to_vec()]).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::db) async fn user_by_name(
        &self,
        office: OfficeId,
        username: &str,
    ) -> Result<Option<(UserView, Option<String>)>> {
        users::by_name(&self.pool, office.0, username)
            .await?
            .map(|(user, hash)| Ok((view(user)?, hash)))
            .transpose()
    }

    pub(in crate::db) async fn user(&self, id: UserId) -> Result<UserView> {
        let mut user = view(
            users::user(&self.pool, id.0)
                .await?
                .ok_or(Error::NotFound("user"))?,
        )?;
        user.counters = self.counters_of(id).await?;
        Ok(user)
    }

    pub(in crate::db) async fn counters_of(&self, user: UserId) -> Result<Vec<CounterId>> {
        Ok(users::counters_of(&self.pool, user.0)
            .await?
            .into_iter()
            .map(CounterId)
            .collect())
    }

    pub(in crate::db) async fn users(&self, office: OfficeId) -> Result<Vec<UserView>> {
        let (rows, pairs) = users::users(&self.pool, office.0).await?;
        let mut users = rows.into_iter().map(view).collect::<Result<Vec<_>>>()?;
        for (user, counter) in pairs {
            if let Some(u) = users.iter_mut().find(|u| u.id.0 == user) {
                u.counters.push(CounterId(counter));
            }
        }
        Ok(users)
    }

    pub(in crate::db) async fn create_user(&self, u: &NewUser) -> Result<UserId> {
        let mut tx = self.pool.begin().await?;
        let id = setup::insert_user(
            &mut tx,
            u.office.0,
            &u.username,
            &u.full_name,
            u.role.as_str(),
            &u.password_hash,
        )
        .await?
        .ok_or_else(|| Error::AlreadyExists {
            message: format!("the user name {:?} is taken", u.username),
            vi: format!("Tên đăng nhập “{}” đã có người dùng.", u.username),
        })?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    pub(in crate::db) async fn update_user(
        &self,
        office: OfficeId,
        user: UserId,
        change: &UserRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Vec<TokenHash>> {
        let (role, ms) = (change.role.as_str(), at.timestamp_millis());
        let mut tx = self.pool.begin().await?;
        let before = users::role_for_update(&mut tx, office.0, user.0)
            .await?
            .ok_or(Error::NotFound("user"))?;
        users::update(
            &mut tx,
            user.0,
            &change.full_name,
            role,
            change.disabled,
            ms,
        )
        .await?;
        let counters: Vec<i64> = change.counters.iter().map(|c| c.0).collect();
        if !users::set_counters(&mut tx, office.0, user.0, &counters).await? {
            return Err(Error::invalid(
                "a counter chosen is not one of the office's",
                "Quầy đã chọn không thuộc cơ quan.",
            ));
        }
        let ended = if change.disabled {
            sessions::end_all_of(&mut tx, user.0, SessionEnd::Disabled.as_str(), ms).await?
        } else if before != role {
            sessions::end_all_of(&mut tx, user.0, SessionEnd::Role.as_str(), ms).await?
        } else if counters.is_empty() {
            Vec::new()
        } else {
            sessions::end_outside(&mut tx, user.0, SessionEnd::Counters.as_str(), ms).await?
        };
        settings(&mut tx, office, "user", admin, at).await?;
        sessions::invalidate(&mut tx, &ended).await?;
        tx.commit().await?;
        self.committed();
        Ok(token_hashes(&ended))
    }

    pub(in crate::db) async fn set_password(
        &self,
        office: OfficeId,
        user: UserId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<TokenHash>> {
        let mut tx = self.pool.begin().await?;
        if !users::set_password(&mut tx, office.0, user.0, hash).await? {
            return Err(Error::NotFound("user"));
        }
        let reason = SessionEnd::Password.as_str();
        let ended = sessions::end_all_of(&mut tx, user.0, reason, at.timestamp_millis()).await?;
        sessions::invalidate(&mut tx, &ended).await?;
        tx.commit().await?;
        Ok(token_hashes(&ended))
    }
}

fn view(u: users::User) -> Result<UserView> {
    Ok(UserView {
        id: UserId(u.id),
        office_id: OfficeId(u.office_id),
        username: u.username,
        full_name: u.full_name,
        role: crate::db::role(&u.role)?,
        disabled: u.disabled,
        counters: Vec::new(),
    })
}

/// The token hashes of `rows` (each 32 bytes, as the database keeps them).
fn token_hashes(rows: &[Vec<u8>]) -> Vec<TokenHash> {
    rows.iter()
        .filter_map(|h| h.as_slice().try_into().ok())
        .collect()
}
