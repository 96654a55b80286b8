//! Errors toward the UI: every command fails with `{kind, message, field?, request_id?}`.

use ramp_core::{CoreError, ErrorKind};
use serde::Serialize;

/// What a command returns on failure; serialised for the UI.
#[derive(Debug, Serialize)]
pub struct UiError(CoreError);

/// Command result.
pub(crate) type Result<T> = std::result::Result<T, UiError>;

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        Self(e)
    }
}

impl UiError {
    /// A failure in the app; the UI shows the sentence `error.<code>` of its catalogs, and the
    /// English `message` goes to the log.
    pub(crate) fn app(code: &'static str, message: impl Into<String>) -> Self {
        Self(CoreError::coded(ErrorKind::App, code, message))
    }

    /// The user's input in `field` is wrong; `message` says how.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = CoreError::new(ErrorKind::Invalid, message);
        e.field = Some(field.to_owned());
        Self(e)
    }
}
