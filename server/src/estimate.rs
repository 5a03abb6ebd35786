//! Estimated wait: people ahead ÷ counters serving the service × the
//! median of its recent service times.

use crate::error::Result;
use crate::rules::WaitInputs;
use chrono::{DateTime, Duration, Utc};
use layso_protocol::{ServiceId, TicketView};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many recent services the median looks at.
const SAMPLE: i64 = 30;

/// How long a service's median is reused before it is read again.
const FRESH_FOR: Duration = Duration::seconds(30);

/// Adds people-ahead and wait estimates to waiting tickets, caching each
/// service's median service time briefly so issuing stays cheap.
#[derive(Debug, Default)]
pub struct Estimator {
    medians: Mutex<HashMap<ServiceId, (DateTime<Utc>, u32)>>,
}

impl Estimator {
    /// Fills `people_ahead` and `estimated_wait_secs` of a waiting ticket.
    pub async fn annotate(
        &self,
        db: &crate::db::Db,
        now: DateTime<Utc>,
        view: &mut TicketView,
        inputs: Option<WaitInputs>,
    ) -> Result<()> {
        let Some(inputs) = inputs else {
            return Ok(());
        };
        let median = self.median_secs(db, now, inputs.service).await?;
        view.people_ahead = Some(inputs.people_ahead);
        view.estimated_wait_secs = wait_secs(inputs.people_ahead, inputs.counters, median);
        Ok(())
    }

    async fn median_secs(
        &self,
        db: &crate::db::Db,
        now: DateTime<Utc>,
        service: ServiceId,
    ) -> Result<u32> {
        if let Some(&(at, secs)) = self.lock().get(&service)
            && now - at < FRESH_FOR
            && now >= at
        {
            return Ok(secs);
        }
        let (times, default) = db.recent_service_times(service, SAMPLE).await?;
        let secs = median(times).unwrap_or(default);
        let secs = u32::try_from(secs.max(1)).unwrap_or(u32::MAX);
        self.lock().insert(service, (now, secs));
        Ok(secs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ServiceId, (DateTime<Utc>, u32)>> {
        // A poisoned cache is still a valid cache of numbers.
        self.medians.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The median of the samples (the lower middle for an even count).
pub fn median(mut samples: Vec<i64>) -> Option<i64> {
    samples.retain(|s| *s >= 0);
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    Some(samples[(samples.len() - 1) / 2])
}

/// The wait for `ahead` people shared by `counters` counters, each taking
/// `median_secs` per citizen; unknown when no counter serves the service.
pub fn wait_secs(ahead: u32, counters: u32, median_secs: u32) -> Option<u32> {
    if counters == 0 {
        return None;
    }
    let total = u64::from(ahead) * u64::from(median_secs) / u64::from(counters);
    Some(u32::try_from(total).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The median ignores order and negative (clock-skewed) samples.
    #[test]
    fn median_of_samples() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![300, 60, 120]), Some(120));
        assert_eq!(median(vec![10, 40, 20, 30]), Some(20));
        assert_eq!(median(vec![-5, 50]), Some(50));
    }

    // 6 people, 2 counters, 5 minutes each: 15 minutes.
    #[test]
    fn wait_is_shared_by_counters() {
        assert_eq!(wait_secs(6, 2, 300), Some(900));
        assert_eq!(wait_secs(0, 2, 300), Some(0));
        assert_eq!(wait_secs(6, 0, 300), None);
    }
}
