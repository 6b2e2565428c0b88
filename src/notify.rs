//! Notifications outside the system (SMS, messaging apps): one sender interface, log-only by default,
//! so a deployment can plug a gateway in without touching the workflow.

use std::sync::Arc;

/// Sends a short text to accounts by some outside channel.
pub trait Sender: Send + Sync {
    fn send(&self, account_ids: &[i64], text: &str);
}

/// Writes one log line per message (how many recipients and how long; never the text, which can
/// name people).
pub struct LogOnly;

impl Sender for LogOnly {
    fn send(&self, account_ids: &[i64], text: &str) {
        if !account_ids.is_empty() {
            tracing::debug!(recipients = account_ids.len(), chars = text.chars().count(), "notification (log only)");
        }
    }
}

#[derive(Clone)]
pub struct Notifier(Arc<dyn Sender>);

impl Notifier {
    pub fn new(sender: Arc<dyn Sender>) -> Self {
        Notifier(sender)
    }
    pub fn log_only() -> Self {
        Notifier(Arc::new(LogOnly))
    }
    pub fn send(&self, account_ids: &[i64], text: &str) {
        self.0.send(account_ids, text)
    }
}
