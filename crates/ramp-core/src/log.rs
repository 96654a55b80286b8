//! The diagnostics event log: widget events, status events and errors, kept in memory (last
//! 500) and exported with tokens, emails, widget links and addresses redacted.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// One log entry.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// Unix milliseconds.
    pub at_ms: u64,
    /// `widget`, `status`, `error`, `app`.
    pub kind: String,
    /// What happened.
    pub text: String,
}

/// A bounded in-memory log.
#[derive(Debug, Default)]
pub struct EventLog(Mutex<VecDeque<LogEntry>>);

const KEEP: usize = 500;

impl EventLog {
    /// Add an entry (redacted on the way in, so nothing sensitive is held either).
    pub fn push(&self, kind: &str, text: impl AsRef<str>) {
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default();
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == KEEP {
            q.pop_front();
        }
        q.push_back(LogEntry { at_ms, kind: kind.to_owned(), text: redact(text.as_ref()) });
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> Vec<LogEntry> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
    }

    /// Plain-text export for a support ticket.
    pub fn export(&self) -> String {
        self.entries()
            .iter()
            .map(|e| {
                let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(e.at_ms);
                format!("{} {:<6} {}\n", humantime::format_rfc3339_millis(at), e.kind, e.text)
            })
            .collect()
    }
}

/// Hide what must not leave the device: JWT-like tokens, emails, widget link tokens, long
/// base58/hex strings (addresses, signatures) — keeping a short prefix so entries stay
/// recognisable.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&redact_word(word));
    }
    out
}

fn redact_word(w: &str) -> String {
    if let Some(at) = w.find('@').filter(|&at| at > 0 && w[at..].contains('.')) {
        let start = w[..at].rfind(|c: char| !(c.is_alphanumeric() || "._+-".contains(c))).map_or(0, |i| i + 1);
        return format!("{}<email>{}", &w[..start], redact_tail(&w[at..]));
    }
    if let Some(pos) = w.find("/w/") {
        return format!("{}/w/<link>", &w[..pos]);
    }
    let token_chars = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
    let core = w.trim_matches(|c: char| !token_chars(c));
    if core.len() >= 24 && core.chars().all(token_chars) && core.chars().any(|c| c.is_ascii_digit()) {
        return w.replace(core, &format!("{}…<redacted>", &core[..4.min(core.len())]));
    }
    w.to_owned()
}

fn redact_tail(domain_part: &str) -> String {
    domain_part.find(['"', ',', ')']).map(|i| domain_part[i..].to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_personal_data_are_hidden() {
        let raw = "login ok for jane.doe+test@example.com token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.abc123 \
                   opened http://127.0.0.1:8080/w/Zk3kq9s8LmNo0pQrStUvWxYz12345 to TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
        let r = redact(raw);
        for secret in ["jane.doe", "example.com", "eyJzdWIi", "Zk3kq9s8", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"] {
            assert!(!r.contains(secret), "{secret} survived: {r}");
        }
        assert!(r.contains("<email>") && r.contains("/w/<link>") && r.contains("<redacted>"), "{r}");
        assert!(r.starts_with("login ok for"), "ordinary words stay: {r}");
    }

    #[test]
    fn email_redaction_keeps_what_surrounds_the_address() {
        assert_eq!(redact("mail (jane@example.com), ok"), "mail (<email>), ok");
        assert_eq!(redact("from:jane@example.com"), "from:<email>");
        assert_eq!(redact("to \"a.b+c@example.org\""), "to \"<email>\"");
        // A handle is not an address.
        assert_eq!(redact("ping @home.page now"), "ping @home.page now");
        assert_eq!(redact("user@localhost"), "user@localhost", "no dot: not taken for an address");
    }

    #[test]
    fn the_log_keeps_the_last_entries() {
        let log = EventLog::default();
        for i in 0..(KEEP + 10) {
            log.push("app", format!("entry {i}"));
        }
        let e = log.entries();
        assert_eq!(e.len(), KEEP);
        assert_eq!(e[0].text, "entry 10");
        assert!(log.export().lines().count() == KEEP);
    }
}
