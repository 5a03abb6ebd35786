//! Who is calling, and whether they may.
//!
//! Every request passes [`authenticate`]: it reads the token (`Authorization:
//! Bearer …` or the `layso_token` cookie), finds the session or device it
//! belongs to, and puts the [`Principal`] in the request. Each route is
//! wrapped in [`guard`] with the [`Access`] it needs; a request without a
//! valid token is refused with 401, one with the wrong role with 403.
//!
//! Tokens are 256 random bits; the database keeps only their SHA-256.
//! Principals are cached by that hash, so checking a token costs a hash and
//! a map lookup. Logout, revocation and a counter taken over by someone
//! else go through [`Accounts::forget`], which empties the cache entry and
//! tells open event streams to close.

use crate::db::accounts;
use crate::error::{Error, Result};
use crate::live::Hub;
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, DeviceId, DeviceKind, OfficeId, Role, UserId};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The SHA-256 of a token: how the database and the cache know it.
pub type TokenHash = [u8; 32];

/// The cookie browsers carry the token in.
pub const COOKIE: &str = "layso_token";

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's hash (its session or device).
    pub key: TokenHash,
    /// The office it acts in.
    pub office: OfficeId,
    /// A person or a device.
    pub who: Who,
    /// When it stops working by itself (sessions only).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A person or a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A signed-in person.
    User {
        /// The account.
        id: UserId,
        /// What they may do.
        role: Role,
        /// The counter a staff member signed in to.
        counter: Option<CounterId>,
    },
    /// A paired device.
    Device {
        /// The device.
        id: DeviceId,
        /// What it may do.
        kind: DeviceKind,
        /// A rating tablet's counter.
        counter: Option<CounterId>,
    },
}

/// The parties a route may admit: each role and each kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// Role admin.
    Admin,
    /// Role manager.
    Manager,
    /// Role staff (with or without a counter).
    Staff,
    /// A kiosk.
    Kiosk,
    /// A hall display.
    Display,
    /// A rating tablet.
    Rating,
}

impl Principal {
    /// The party it is.
    pub fn party(&self) -> Party {
        match self.who {
            Who::User { role, .. } => match role {
                Role::Admin => Party::Admin,
                Role::Manager => Party::Manager,
                Role::Staff => Party::Staff,
            },
            Who::Device { kind, .. } => match kind {
                DeviceKind::Kiosk => Party::Kiosk,
                DeviceKind::Display => Party::Display,
                DeviceKind::Rating => Party::Rating,
            },
        }
    }

    /// The counter it is tied to: a staff member's or a rating tablet's.
    pub fn counter(&self) -> Option<CounterId> {
        match self.who {
            Who::User { counter, .. } | Who::Device { counter, .. } => counter,
        }
    }

    /// The person, if it is one.
    pub fn user(&self) -> Option<UserId> {
        match self.who {
            Who::User { id, .. } => Some(id),
            Who::Device { .. } => None,
        }
    }

    /// The device, if it is one.
    pub fn device(&self) -> Option<DeviceId> {
        match self.who {
            Who::Device { id, .. } => Some(id),
            Who::User { .. } => None,
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Any of these parties.
    AnyOf(&'static [Party]),
    /// Staff signed in at the counter named `{id}` in the path.
    StaffAtCounter,
}

/// Kiosks: services and issuing.
pub const KIOSK: Access = Access::AnyOf(&[Party::Kiosk]);
/// What the hall shows: the queue, the counters and the live events.
pub const HALL: Access =
    Access::AnyOf(&[Party::Admin, Party::Manager, Party::Staff, Party::Display]);
/// The service list: the kiosk's menu and everybody's legend.
pub const SERVICES: Access = Access::AnyOf(&[
    Party::Admin,
    Party::Manager,
    Party::Staff,
    Party::Display,
    Party::Kiosk,
]);
/// Any signed-in person.
pub const PEOPLE: Access = Access::AnyOf(&[Party::Admin, Party::Manager, Party::Staff]);
/// Any valid token.
pub const ANYONE_SIGNED_IN: Access = Access::AnyOf(&[
    Party::Admin,
    Party::Manager,
    Party::Staff,
    Party::Kiosk,
    Party::Display,
    Party::Rating,
]);
/// Office configuration.
pub const ADMIN: Access = Access::AnyOf(&[Party::Admin]);
/// Rating tablets.
pub const RATING: Access = Access::AnyOf(&[Party::Rating]);
/// The counter in the path, by the staff member signed in there.
pub const AT_COUNTER: Access = Access::StaffAtCounter;

/// Wraps a route so that only `access` reaches it.
pub fn guard(access: Access, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.route_layer(axum::middleware::from_fn_with_state(access, check))
}

async fn check(State(access): State<Access>, request: Request, next: Next) -> Response {
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return Error::Unauthorized("sign in, or send a device token").into_response();
    };
    let allowed = match access {
        Access::AnyOf(parties) => parties.contains(&principal.party()),
        Access::StaffAtCounter => {
            let (mut parts, body) = request.into_parts();
            let counter = RawPathParams::from_request_parts(&mut parts, &())
                .await
                .ok()
                .and_then(|params| {
                    params
                        .iter()
                        .find(|(name, _)| *name == "id")
                        .and_then(|(_, v)| v.parse().ok())
                });
            let request = Request::from_parts(parts, body);
            let allowed = principal.party() == Party::Staff
                && counter.is_some()
                && principal.counter() == counter.map(CounterId);
            if !allowed {
                return Error::forbidden(
                    "only the staff member signed in at this counter may act at it",
                    "Chỉ nhân viên đang đăng nhập tại quầy này mới làm được việc này.",
                )
                .into_response();
            }
            return next.run(request).await;
        }
    };
    if allowed {
        next.run(request).await
    } else {
        Error::forbidden(
            format!("a {:?} may not do this", principal.party()),
            "Tài khoản của bạn không có quyền làm việc này.",
        )
        .into_response()
    }
}

/// The principal of a guarded route's request.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or(Error::Unauthorized("sign in, or send a device token"))
    }
}

/// Finds the principal of the request's token, if any, for the routes'
/// guards. An unknown, expired or revoked token counts as none.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(token) = token_of(request.headers()) {
        match state.accounts.principal(&state, &hash(token)).await {
            Ok(Some(principal)) => {
                if let Some(device) = principal.device() {
                    state.presence.saw(device, state.clock.now());
                }
                request.extensions_mut().insert(principal);
            }
            Ok(None) => {}
            Err(error) => return error.into_response(),
        }
    }
    next.run(request).await
}

/// Where a request's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `Authorization: Bearer …`: a program chose to send it.
    Bearer,
    /// The session cookie: a browser sends it with every request.
    Cookie,
}

/// The token in the `Authorization` header or the cookie.
pub fn token_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    token_and_source(headers).map(|(token, _)| token)
}

/// Where the request's token comes from, if it has one.
pub fn token_source(headers: &axum::http::HeaderMap) -> Option<TokenSource> {
    token_and_source(headers).map(|(_, source)| source)
}

fn token_and_source(headers: &axum::http::HeaderMap) -> Option<(&str, TokenSource)> {
    if let Some(value) = headers.get(header::AUTHORIZATION)
        && let Ok(value) = value.to_str()
        && let Some(token) = value.strip_prefix("Bearer ")
    {
        return Some((token.trim(), TokenSource::Bearer));
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .map(|token| (token, TokenSource::Cookie))
}

/// The hash a token is known by.
pub fn hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A fresh token: `prefix` and 256 random bits in hex.
pub fn new_token(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let mut token = String::with_capacity(prefix.len() + 64);
    token.push_str(prefix);
    for b in bytes {
        token.push_str(&format!("{b:02x}"));
    }
    Ok(token)
}

/// Prefix of session tokens.
pub const SESSION_PREFIX: &str = "lss_";
/// Prefix of device tokens.
pub const DEVICE_PREFIX: &str = "lsd_";

/// The cache drops expired sessions when it grows to this many entries.
const CACHE_SWEEP_AT: usize = 4096;

/// The principals' cache, and where to tell streams that their token
/// stopped working.
#[derive(Debug)]
pub struct Accounts {
    cache: Mutex<HashMap<TokenHash, Principal>>,
    /// How many times [`Accounts::forget`] ran. A principal read from the
    /// database is cached only if no forget ran during the read: that read
    /// may have seen the account as it was before the change.
    forgotten: AtomicU64,
    hub: Arc<Hub>,
    /// How long a session lasts.
    pub session_length: Duration,
}

impl Accounts {
    /// An empty cache; sessions last `session_length`; revocations close
    /// streams through `hub`.
    pub fn new(session_length: Duration, hub: Arc<Hub>) -> Self {
        Self {
            cache: Mutex::default(),
            forgotten: AtomicU64::new(0),
            hub,
            session_length,
        }
    }

    /// The valid principal of a token hash.
    pub async fn principal(&self, state: &AppState, key: &TokenHash) -> Result<Option<Principal>> {
        let now = state.clock.now();
        let cached = lock(&self.cache).get(key).cloned();
        let principal = match cached {
            Some(p) => Some(p),
            None => {
                let before = self.forgotten.load(Ordering::Acquire);
                let found = accounts::principal(&state.db.read, key, now).await?;
                if let Some(p) = &found {
                    let mut cache = lock(&self.cache);
                    if self.forgotten.load(Ordering::Acquire) != before {
                        // A change committed while we read: what we read may
                        // be from before it. Serve it this once, keep nothing.
                        return Ok(found.filter(|p| p.expires_at.is_none_or(|at| at > now)));
                    }
                    // Sessions nobody uses again would stay forever.
                    if cache.len() >= CACHE_SWEEP_AT {
                        cache.retain(|_, p| p.expires_at.is_none_or(|at| at > now));
                    }
                    cache.insert(*key, p.clone());
                }
                found
            }
        };
        Ok(principal.filter(|p| p.expires_at.is_none_or(|at| at > now)))
    }

    /// Makes tokens stop working now: drops them from the cache and closes
    /// their event streams. Call after the database says so.
    pub fn forget(&self, keys: &[TokenHash]) {
        let mut cache = lock(&self.cache);
        for key in keys {
            cache.remove(key);
        }
        // Under the cache's lock, so that a reader either sees this count
        // change or inserts before the removal above.
        self.forgotten.fetch_add(1, Ordering::AcqRel);
        drop(cache);
        self.hub.revoke(keys);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hashes a password with Argon2id (default parameters: 19 MiB, 2 passes)
/// off the async threads.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        use argon2::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing a password: {e}")))?
}

/// Whether `password` matches `hash`, checked off the async threads.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        use argon2::PasswordVerifier;
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// The longest password, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Checks a new password: long enough to resist guessing.
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < 10 {
        return Err(Error::invalid(
            "a password has at least 10 characters",
            "Mật khẩu cần ít nhất 10 ký tự.",
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid(
            format!("a password has at most {MAX_PASSWORD_BYTES} bytes"),
            "Mật khẩu quá dài.",
        ));
    }
    Ok(())
}

/// A random password people can type: 14 letters and digits without the
/// ones that look alike (about 80 bits).
pub fn new_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    // 256 is not a multiple of the alphabet's size; the bias is small
    // and costs a fraction of a bit.
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// Per-kiosk token buckets: a kiosk may issue `burst` tickets at once and
/// one more every `refill`.
#[derive(Debug)]
pub struct KioskLimit {
    burst: f64,
    refill: Duration,
    buckets: Mutex<HashMap<DeviceId, (f64, DateTime<Utc>)>>,
}

impl KioskLimit {
    /// A limit of `burst` tickets, refilled one per `refill`.
    pub fn new(burst: u32, refill: Duration) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            refill: refill.max(Duration::from_millis(1)),
            buckets: Mutex::default(),
        }
    }

    /// Takes one ticket's worth from the kiosk's bucket, or says how many
    /// seconds until it may issue again.
    pub fn take(&self, kiosk: DeviceId, now: DateTime<Utc>) -> Result<()> {
        let mut buckets = lock(&self.buckets);
        let (tokens, at) = buckets.entry(kiosk).or_insert((self.burst, now));
        let elapsed = (now - *at).to_std().unwrap_or_default();
        *tokens = (*tokens + elapsed.as_secs_f64() / self.refill.as_secs_f64()).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *tokens) * self.refill.as_secs_f64();
            Err(Error::RateLimited {
                retry_after: wait.ceil() as u64,
            })
        }
    }

    /// Gives back what [`KioskLimit::take`] took: a retry that returned an
    /// existing ticket did not issue one.
    pub fn give_back(&self, kiosk: DeviceId) {
        if let Some((tokens, _)) = lock(&self.buckets).get_mut(&kiosk) {
            *tokens = (*tokens + 1.0).min(self.burst);
        }
    }
}
