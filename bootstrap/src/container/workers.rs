//! The background jobs: outbox delivery and data retention.

use std::sync::Arc;

use application::ports::{AccountDeletions, Clock, VerificationCodeStore};
use application::use_cases::{DeliverMessages, PurgeExpiredData};
use application::{DeliveryPolicy, RetentionPolicy};
use security::system::RandomCodeGenerator;
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
        deletions: &Arc<dyn AccountDeletions>,
        codes: &Arc<dyn VerificationCodeStore>,
        messaging: &Messaging,
        clock: &Arc<dyn Clock>,
        delivery: DeliveryPolicy,
        retention: RetentionPolicy,
    ) -> Self {
        let delivery =
            DeliverMessages::new(messaging.delivered_outbox.clone(), messaging.router.clone(), clock.clone(), delivery);
        let retention = PurgeExpiredData::new(
            database.data_retention(),
            deletions.clone(),
            codes.clone(),
            Arc::new(RandomCodeGenerator),
            clock.clone(),
            retention,
        );
        Self { delivery: Arc::new(delivery), retention: Arc::new(retention) }
    }
}
