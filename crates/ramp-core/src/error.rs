//! Errors of the app core, each with a [`ErrorKind`] the UI branches on and a message a person
//! can act on.

use serde::Serialize;

/// Result of a core operation.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// What kind of failure, for the UI to choose a screen or a button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The backend cannot be reached: show the offline state with a retry.
    Offline,
    /// The sign-in is gone or expired: go to sign-in.
    SignedOut,
    /// The user's input is wrong; `field` says which.
    Invalid,
    /// The chosen currency or network is unavailable right now.
    Unavailable,
    /// Too many attempts: wait.
    RateLimited,
    /// Not found (or not the user's).
    NotFound,
    /// The server or the ramp provider failed: retry later.
    Server,
    /// A bug or a broken configuration in the app.
    App,
}

/// A failure in the app core.
#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct CoreError {
    /// Category.
    pub kind: ErrorKind,
    /// A sentence for the user.
    pub message: String,
    /// The form field at fault, for [`ErrorKind::Invalid`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The backend's request id, to quote to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For a sentence the app wrote (not the backend): its key in the UI's catalogs, so the UI
    /// shows it in the user's language; `message` is the English text for logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The values of the sentence's placeholders.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub args: std::collections::BTreeMap<&'static str, String>,
}

impl CoreError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            request_id: None,
            code: None,
            args: std::collections::BTreeMap::new(),
        }
    }

    /// An error whose sentence the UI takes from its catalogs under `error.<code>`; `english`
    /// is the same sentence for the diagnostics log.
    pub fn coded(kind: ErrorKind, code: &'static str, english: impl Into<String>) -> Self {
        Self { code: Some(code), ..Self::new(kind, english) }
    }

    /// Fill a placeholder of the sentence.
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.insert(name, value.into());
        self
    }

    pub(crate) fn offline() -> Self {
        Self::coded(ErrorKind::Offline, "offline", "Can't reach the server. Check your connection and try again.")
    }

    /// Build from the backend's error envelope and HTTP status.
    pub(crate) fn from_api(status: u16, body: ramp_api::ApiErrorBody) -> Self {
        use ramp_api::codes;
        let kind = match body.code.as_str() {
            codes::UNAUTHENTICATED => ErrorKind::SignedOut,
            codes::INVALID_REQUEST | codes::PAYLOAD_TOO_LARGE => ErrorKind::Invalid,
            codes::PAIR_UNAVAILABLE => ErrorKind::Unavailable,
            codes::RATE_LIMITED => ErrorKind::RateLimited,
            codes::NOT_FOUND => ErrorKind::NotFound,
            codes::PROVIDER_UNAVAILABLE => ErrorKind::Server,
            _ if status == 401 => ErrorKind::SignedOut,
            _ if status >= 500 => ErrorKind::Server,
            _ => ErrorKind::Invalid,
        };
        Self {
            kind,
            message: body.message,
            field: body.field,
            request_id: body.request_id,
            code: None,
            args: std::collections::BTreeMap::new(),
        }
    }
}

impl From<reqwest::Error> for CoreError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_connect() || e.is_timeout() || e.is_request() {
            Self::offline()
        } else {
            Self::coded(
                ErrorKind::Server,
                "bad_answer",
                format!("The server sent an answer the app did not understand ({e})."),
            )
        }
    }
}
