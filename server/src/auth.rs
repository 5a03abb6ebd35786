//! Tokens, the principals' cache, passwords and the kiosks' limits.
//!
//! Every request passes `http::guard::authenticate`: it reads the token
//! (`Authorization: Bearer …` or the `layso_token` cookie, [`token_of`]),
//! finds the session or device it belongs to through [`Accounts`], and
//! puts the [`Principal`] in the request; `http::guard::guard` checks it
//! against each route's `caller::Access`.
//!
//! Tokens are 256 random bits; the database keeps only their SHA-256.
//! Principals are cached by that hash, so checking a token costs a hash and
//! a map lookup. Logout, revocation and a counter taken over by someone
//! else go through [`Accounts::forget`], which empties the cache entry and
//! tells open event streams to close.

use crate::caller::{Principal, TokenHash};
use crate::error::{Error, Result};
use crate::live::Hub;
use axum::http::header;
use chrono::{DateTime, Utc};
use layso_protocol::DeviceId;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The cookie browsers carry the token in.
pub const COOKIE: &str = "layso_token";

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

    /// The valid principal of a token hash at `now`, read from `db` when
    /// not cached.
    pub async fn principal(
        &self,
        db: &crate::db::Db,
        now: DateTime<Utc>,
        key: &TokenHash,
    ) -> Result<Option<Principal>> {
        let cached = lock(&self.cache).get(key).cloned();
        let principal = match cached {
            Some(p) => Some(p),
            None => {
                let before = self.forgotten.load(Ordering::Acquire);
                let found = db.principal(key, now).await?;
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

    /// Forgets every cached principal (each is read again at its next
    /// use): for when this process may have missed which tokens ended.
    pub fn forget_all(&self) {
        let mut cache = lock(&self.cache);
        cache.clear();
        self.forgotten.fetch_add(1, Ordering::AcqRel);
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
