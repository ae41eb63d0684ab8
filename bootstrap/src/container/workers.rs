//! The background jobs: outbox delivery and data retention.

use std::sync::Arc;

use application::ports::Clock;
use application::use_cases::{DeliverMessages, PurgeExpiredData};
use application::{DeliveryPolicy, RetentionPolicy};
use storage::Database;

use super::messaging::Messaging;

pub(super) struct Workers {
    /// One round of outbox delivery.
    pub delivery: Arc<DeliverMessages>,
    /// One round of the retention job.
    pub retention: Arc<PurgeExpiredData>,
}

impl Workers {
    pub fn wire(
        database: &Database,
        messaging: &Messaging,
        clock: &Arc<dyn Clock>,
        delivery: DeliveryPolicy,
        retention: RetentionPolicy,
    ) -> Self {
        let delivery =
            DeliverMessages::new(messaging.delivered_outbox.clone(), messaging.router.clone(), clock.clone(), delivery);
        let retention = PurgeExpiredData::new(database.data_retention(), clock.clone(), retention);
        Self { delivery: Arc::new(delivery), retention: Arc::new(retention) }
    }
}
