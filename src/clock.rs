//! Time as an outside effect: the current time and sleeping, behind the `Clock` trait so the waits
//! of retries and push polling are explicit values passed in.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Now, and waiting.
#[async_trait]
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// Wait for `d`.
    async fn sleep(&self, d: Duration);
}

/// The real clock and tokio's timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}
