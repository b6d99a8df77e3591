//! One pace for every new connection the worker makes, whatever made it reconnect (a drop, a
//! parse failure, a changed folder, a recovered panic): a few back to back, then backoff with
//! jitter, so a server that fails every session sees a handful of logins a minute, not
//! hundreds a second.

use std::time::{Duration, Instant};

use super::offline::backoff;

/// Since the last login this long ago, the connection was a healthy one: the count restarts.
const STABLE: Duration = Duration::from_secs(60);
/// Logins allowed back to back before the backoff starts (a retry after a failed fetch).
const FREE: u32 = 3;

#[derive(Default)]
pub struct Pace {
    last: Option<Instant>,
    /// Logins since the last healthy stretch.
    streak: u32,
    /// The next login is refused before this.
    not_before: Option<Instant>,
}

impl Pace {
    /// Records a login now, or says how long to wait before the next one.
    pub fn admit(&mut self, now: Instant) -> Result<(), Duration> {
        if let Some(t) = self.not_before.filter(|t| *t > now) {
            return Err(t - now);
        }
        self.streak = match self.last {
            Some(last) if now.duration_since(last) < STABLE => self.streak + 1,
            _ => 0,
        };
        self.last = Some(now);
        self.not_before = (self.streak >= FREE).then(|| now + backoff(self.streak - FREE));
        Ok(())
    }

    /// How long from `now` until a login would be admitted.
    pub fn wait(&self, now: Instant) -> Duration {
        self.not_before
            .map_or(Duration::ZERO, |t| t.saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_logins_back_to_back_then_backoff() {
        let mut pace = Pace::default();
        let start = Instant::now();
        for _ in 0..FREE {
            assert!(pace.admit(start).is_ok());
        }
        assert!(pace.admit(start).is_ok(), "the last free one");
        let wait = pace.admit(start).unwrap_err();
        assert!(wait >= Duration::from_millis(500), "{wait:?}");
        assert_eq!(pace.wait(start), wait);
        // A login every time it is allowed, for an hour: at most a handful a minute.
        let mut now = start;
        let mut logins = 0;
        while now < start + Duration::from_secs(3600) {
            match pace.admit(now) {
                Ok(()) => logins += 1,
                Err(w) => now += w,
            }
        }
        assert!(logins < 5 * 60, "{logins} logins in an hour");
    }

    #[test]
    fn a_healthy_stretch_starts_the_count_over() {
        let mut pace = Pace::default();
        let mut now = Instant::now();
        for _ in 0..10 {
            if let Err(w) = pace.admit(now) {
                now += w;
            }
        }
        now += STABLE + pace.wait(now);
        for _ in 0..=FREE {
            assert!(pace.admit(now).is_ok());
        }
    }
}
