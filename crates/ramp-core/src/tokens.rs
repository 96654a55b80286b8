//! Where the app keeps its sign-in between launches, behind [`TokenStore`].
//!
//! [`FileTokenStore`] writes a JSON file readable only by the user (mode 0600 on Unix) in the
//! app's private data directory, which iOS and Android already sandbox per app. A partner who
//! needs hardware-backed storage implements [`TokenStore`] on the Keychain / Keystore.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorKind, Result};

/// A saved sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    /// Bearer token for the backend.
    pub token: String,
    /// Unix seconds after which it is refused.
    pub expires_at: u64,
    /// The user's id.
    pub user_id: String,
    /// The user's email.
    pub email: String,
    /// Renews the bearer token when it expires (backends that issue sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Storage for the sign-in.
pub trait TokenStore: Send + Sync {
    /// The saved sign-in, if any.
    fn load(&self) -> Option<StoredSession>;
    /// Save a sign-in.
    ///
    /// # Errors
    /// When it cannot be written.
    fn save(&self, s: &StoredSession) -> Result<()>;
    /// Forget the sign-in.
    fn clear(&self);
}

/// Keeps the sign-in in memory only (tests, or "don't remember me").
#[derive(Debug, Default)]
pub struct MemoryTokenStore(Mutex<Option<StoredSession>>);

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Option<StoredSession> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    fn save(&self, s: &StoredSession) -> Result<()> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(s.clone());
        Ok(())
    }
    fn clear(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// A JSON file in the app's private directory.
#[derive(Debug)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// Store at `path` (its directory is created when saving).
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Option<StoredSession> {
        let bytes = std::fs::read(&self.path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn save(&self, s: &StoredSession) -> Result<()> {
        let fail = |e: std::io::Error| CoreError::new(ErrorKind::App, format!("Could not save the sign-in: {e}"));
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let json = serde_json::to_vec(s).map_err(|e| CoreError::new(ErrorKind::App, e.to_string()))?;
        let tmp = self.path.with_extension("tmp");
        {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&tmp).map_err(fail)?;
            f.write_all(&json).map_err(fail)?;
            f.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(fail)
    }

    fn clear(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_privately_and_clears() {
        let dir = std::env::temp_dir().join(format!("ramp-core-tokens-{}", std::process::id()));
        let store = FileTokenStore::new(dir.join("nested").join("session.json"));
        assert_eq!(store.load(), None);
        let s = StoredSession {
            token: "t".into(),
            expires_at: 9,
            user_id: "u".into(),
            email: "e@x.co".into(),
            refresh_token: Some("r".into()),
        };
        store.save(&s).expect("saves");
        assert_eq!(store.load(), Some(s));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("nested").join("session.json")).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.clear();
        assert_eq!(store.load(), None);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_corrupt_file_reads_as_signed_out() {
        let path = std::env::temp_dir().join(format!("ramp-core-corrupt-{}.json", std::process::id()));
        std::fs::write(&path, b"{not json").expect("writes");
        assert_eq!(FileTokenStore::new(path.clone()).load(), None);
        let _ = std::fs::remove_file(path);
    }
}
