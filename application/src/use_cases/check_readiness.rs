use std::sync::Arc;

use crate::Backend;
use crate::ports::ReadinessProbe;

/// Whether each backing service answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub checks: Vec<(Backend, Result<(), String>)>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.checks.iter().all(|(_, result)| result.is_ok())
    }
}

/// Asks every backing service at once whether it answers.
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
            checks.push((probe.backend(), probe.ping().await));
        }
        Readiness { checks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockReadinessProbe;

    fn probe(backend: Backend, answer: Result<(), String>) -> Arc<dyn ReadinessProbe> {
        let mut probe = MockReadinessProbe::new();
        probe.expect_backend().return_const(backend);
        probe.expect_ping().returning(move || answer.clone());
        Arc::new(probe)
    }

    #[tokio::test]
    async fn ready_only_when_every_service_answers() {
        let all_up = CheckReadiness::new(vec![probe(Backend::Database, Ok(())), probe(Backend::Cache, Ok(()))]);
        assert!(all_up.execute().await.is_ready());

        let cache_down =
            CheckReadiness::new(vec![probe(Backend::Database, Ok(())), probe(Backend::Cache, Err("refused".into()))]);
        let readiness = cache_down.execute().await;
        assert!(!readiness.is_ready());
        assert_eq!(readiness.checks[1], (Backend::Cache, Err("refused".into())));
    }
}
