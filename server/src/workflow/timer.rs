//! Countdowns as deadlines: a running timer stores when it ends, a paused one how much time
//! is left. Nothing counts down in memory, so a restart resumes at the right remaining time.

use atelier_proto::view::TimerView;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timer {
    pub ends_at_ms: Option<i64>,
    pub paused_remaining_ms: Option<i64>,
}

impl Timer {
    pub fn running_until(ends_at_ms: i64) -> Timer {
        Timer { ends_at_ms: Some(ends_at_ms), paused_remaining_ms: None }
    }

    pub fn extend(&mut self, ms: i64) {
        if let Some(end) = self.ends_at_ms.as_mut() {
            *end += ms;
        }
        if let Some(left) = self.paused_remaining_ms.as_mut() {
            *left = (*left + ms).max(0);
        }
    }

    pub fn pause(&mut self, now_ms: i64) {
        if let Some(end) = self.ends_at_ms.take() {
            self.paused_remaining_ms = Some((end - now_ms).max(0));
        }
    }

    pub fn resume(&mut self, now_ms: i64) {
        if let Some(left) = self.paused_remaining_ms.take() {
            self.ends_at_ms = Some(now_ms + left);
        }
    }

    /// Whether the countdown has run out at `now_ms` (a paused timer never has).
    pub fn is_over(&self, now_ms: i64) -> bool {
        matches!(self.ends_at_ms, Some(end) if now_ms > end)
    }

    pub fn view(&self) -> TimerView {
        TimerView { ends_at_ms: self.ends_at_ms, paused_remaining_ms: self.paused_remaining_ms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_keeps_remaining_time() {
        let mut timer = Timer::running_until(10_000);
        timer.pause(4_000);
        assert_eq!(timer.paused_remaining_ms, Some(6_000));
        assert!(!timer.is_over(50_000));
        timer.resume(20_000);
        assert_eq!(timer.ends_at_ms, Some(26_000));
    }

    #[test]
    fn extend_moves_deadline() {
        let mut timer = Timer::running_until(10_000);
        timer.extend(60_000);
        assert_eq!(timer.ends_at_ms, Some(70_000));
        assert!(!timer.is_over(70_000));
        assert!(timer.is_over(70_001));
    }
}
