use std::sync::Arc;

use crate::Backend;
use crate::ports::{NotReady, ReadinessProbe};

/// Whether each backing service answered, with the settings this service needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub checks: Vec<(Backend, Result<(), NotReady>)>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.checks.iter().all(|(_, result)| result.is_ok())
    }
}

/// Asks every backing service whether it answers and is fit for use.
pub struct CheckReadiness {
    probes: Vec<Arc<dyn ReadinessProbe>>,
}

impl CheckReadiness {
    pub fn new(probes: Vec<Arc<dyn ReadinessProbe>>) -> Self {
        Self { probes }
    }

    pub async fn execute(&self) -> Readiness {
        let mut checks = Vec::with_capacity(self.probes.len());
        for probe in &self.probes {
            checks.push((probe.backend(), probe.check().await));
        }
        Readiness { checks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockReadinessProbe;

    fn probe(backend: Backend, answer: Result<(), NotReady>) -> Arc<dyn ReadinessProbe> {
        let mut probe = MockReadinessProbe::new();
        probe.expect_backend().return_const(backend);
        probe.expect_check().returning(move || answer.clone());
        Arc::new(probe)
    }

    #[tokio::test]
    async fn ready_only_when_every_service_answers_fit_for_use() {
        let all_up = CheckReadiness::new(vec![probe(Backend::Database, Ok(())), probe(Backend::Cache, Ok(()))]);
        assert!(all_up.execute().await.is_ready());

        for failure in [NotReady::Unreachable("refused".into()), NotReady::Misconfigured("evicts".into())] {
            let cache_unfit = CheckReadiness::new(vec![
                probe(Backend::Database, Ok(())),
                probe(Backend::Cache, Err(failure.clone())),
            ]);
            let readiness = cache_unfit.execute().await;
            assert!(!readiness.is_ready());
            assert_eq!(readiness.checks[1], (Backend::Cache, Err(failure)));
        }
    }
}
