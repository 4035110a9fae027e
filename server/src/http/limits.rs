//! Fixed-window rate limits per client address, so join codes cannot be enumerated.

use dashmap::DashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max_per_window: u32,
    window: Duration,
    windows: DashMap<IpAddr, (Instant, u32)>,
}

impl RateLimiter {
    pub fn new(max_per_window: u32, window: Duration) -> RateLimiter {
        RateLimiter { max_per_window, window, windows: DashMap::new() }
    }

    /// Counts one attempt from `address`; false when it is over the limit.
    pub fn allow(&self, address: IpAddr) -> bool {
        let now = Instant::now();
        if self.windows.len() > 100_000 {
            self.windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let mut entry = self.windows.entry(address).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max_per_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_max() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let address: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(limiter.allow(address));
        assert!(limiter.allow(address));
        assert!(limiter.allow(address));
        assert!(!limiter.allow(address));
        assert!(limiter.allow("127.0.0.2".parse().unwrap()));
    }
}
