//! The secrets of a first start: the demo users' passwords (from the
//! configuration or random) and the demo kiosk's and display's tokens.
//! They are logged once and written to `<database>.credentials.toml`,
//! readable only by the server's user; the database keeps only hashes.

use crate::auth::{self, DEVICE_PREFIX};
use crate::db::demo::{DEVICES, DemoKeys, USERS};
use crate::error::{Error, Result};
use layso_protocol::{DeviceKind, Role};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The demo's secrets in clear, until they are written and logged.
pub struct DemoSecrets {
    users: Vec<(&'static str, Role, String)>,
    devices: Vec<(DeviceKind, &'static str, String)>,
}

impl DemoSecrets {
    /// Takes the configured passwords, makes up the others and the device
    /// tokens, and hashes them all for the database.
    pub async fn generate(given: &BTreeMap<String, String>) -> Result<(Self, DemoKeys)> {
        if let Some(unknown) = given.keys().find(|u| !USERS.iter().any(|(n, ..)| n == u)) {
            return Err(Error::malformed(format!(
                "initial_passwords names {unknown:?}, which is not a demo user ({})",
                USERS.map(|(n, ..)| n).join(", ")
            )));
        }
        let mut users = Vec::new();
        let mut password_hashes = Vec::new();
        for (name, _, role) in USERS {
            let password = match given.get(name) {
                Some(p) => {
                    auth::check_password(p)?;
                    p.clone()
                }
                None => auth::new_password()?,
            };
            password_hashes.push(auth::hash_password(password.clone()).await?);
            users.push((name, role, password));
        }
        let mut devices = Vec::new();
        let mut device_keys = Vec::new();
        for (kind, name) in DEVICES {
            let token = auth::new_token(DEVICE_PREFIX)?;
            device_keys.push(auth::hash(&token));
            devices.push((kind, name, token));
        }
        let keys = DemoKeys {
            password_hashes,
            device_keys,
        };
        Ok((Self { users, devices }, keys))
    }

    /// Where the file for `database` goes.
    pub fn path_for(database: &Path) -> PathBuf {
        // A PostgreSQL database has no directory: the file goes in the
        // current one, named after the database.
        if let Some(url) = database.to_str().filter(|d| crate::db::postgres::is_url(d)) {
            let name = url.split('?').next().unwrap_or(url);
            let name = name.rsplit('/').next().unwrap_or("layso");
            return PathBuf::from(format!("{name}.credentials.toml"));
        }
        let mut name = database.file_name().unwrap_or_default().to_owned();
        name.push(".credentials.toml");
        database.with_file_name(name)
    }

    /// Writes the file beside the database, readable and writable by its
    /// owner only, replacing any left from an earlier database.
    pub fn write_beside(&self, database: &Path, server: SocketAddr) -> std::io::Result<PathBuf> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let path = Self::path_for(database);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        // An older file may have been created with looser permissions.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(self.toml(server).as_bytes())?;
        file.sync_all()?;
        Ok(path)
    }

    /// The file's text: TOML that the kiosk and display programs can read.
    fn toml(&self, server: SocketAddr) -> String {
        // A JSON string is a valid TOML basic string.
        let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let mut out = String::from(
            "# Layso: the demo office's first credentials. Keep this file private.\n\
             # Change the passwords after signing in (PUT /api/v1/admin/users/{id}/password);\n\
             # if this file leaks, revoke the devices and pair new ones.\n\n",
        );
        out.push_str(&format!("server = {}\n", s(&format!("http://{server}"))));
        for (name, role, password) in &self.users {
            out.push_str(&format!(
                "\n[users.{name}]\nrole = {}\npassword = {}\n",
                s(role.as_str()),
                s(password)
            ));
        }
        for (kind, name, token) in &self.devices {
            out.push_str(&format!(
                "\n[devices.{}]\nname = {}\ntoken = {}\n",
                kind.as_str(),
                s(name),
                s(token)
            ));
        }
        out
    }

    /// Logs every secret once, for whoever watches the first start.
    pub fn log(&self, file: &Path) {
        for (name, role, password) in &self.users {
            tracing::warn!(
                user = name,
                role = role.as_str(),
                password,
                "demo account (shown once)"
            );
        }
        for (kind, name, token) in &self.devices {
            tracing::warn!(
                device = kind.as_str(),
                name,
                token,
                "demo device (shown once)"
            );
        }
        tracing::warn!(file = %file.display(), "the demo's credentials are also in this file");
    }
}
