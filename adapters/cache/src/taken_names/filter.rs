use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use application::ports::{TakenNameRow, TakenNameSource};
use fastbloom::AtomicBloomFilter;
use parking_lot::RwLock;
use service_metrics::TakenNamesGauges;

use super::{NameFingerprints, TakenName};
use crate::account_changes::FreshnessLease;

/// Accounts read per query while the filter is built.
const PAGE: u32 = 5_000;
/// The share of names not taken that still go to the database.
const FALSE_POSITIVES: f64 = 0.01;
/// How long a failed build waits before it tries again.
const RETRY: Duration = Duration::from_secs(5);

/// Which usernames, mobiles and emails may be taken: a Bloom filter of every
/// taken one, so that most availability checks of a free name (the common
/// case while someone types a new username) are answered without a query.
///
/// It may say "maybe" for a free name (about 1 % of them, then the database
/// answers) but never "free" for a taken one, as long as every name taken
/// reaches it: the names of this instance's writes are noted before and after
/// each write, those of the other instances arrive as announcements, and
/// while announcements may be missed (no filter yet, or deaf) every check
/// goes to the database. A filter is built from the table in pages after the
/// subscription is up; names noted meanwhile go into it too, so a row written
/// while the pages are read is in it either way.
pub struct TakenNames {
    prints: NameFingerprints,
    source: Arc<dyn TakenNameSource>,
    min_entries: usize,
    filters: RwLock<Filters>,
    /// With several instances: the filter answers only while the
    /// account-change log was read lately.
    lease: Option<Arc<FreshnessLease>>,
    gauges: TakenNamesGauges,
}

#[derive(Default)]
struct Filters {
    /// Answers checks; `None` while names may have been missed.
    ready: Option<Arc<Filter>>,
    /// Being built from the table.
    building: Option<Arc<Filter>>,
    /// Bumped whenever announcements may have been missed: a build begun
    /// before then cannot be trusted.
    generation: u64,
}

struct Filter {
    bits: AtomicBloomFilter,
    /// Names it was sized for, and names put in so far.
    capacity: usize,
    noted: AtomicUsize,
}

impl Filter {
    fn sized_for(accounts: u64, min_entries: usize) -> Self {
        // Three names per account, and room for as many again before a rebuild.
        let names = usize::try_from(accounts.saturating_mul(6)).unwrap_or(usize::MAX);
        let capacity = names.max(min_entries).max(1);
        Self {
            bits: AtomicBloomFilter::with_false_pos(FALSE_POSITIVES).expected_items(capacity),
            capacity,
            noted: AtomicUsize::new(0),
        }
    }

    /// Whether this name is the one that made it fuller than it was sized
    /// for (true once per filter, so one rebuild is asked for).
    fn note(&self, print: u64) -> bool {
        self.bits.insert_hash(print);
        self.noted.fetch_add(1, Ordering::Relaxed) == self.capacity
    }
}

impl TakenNames {
    /// Starts without a filter: every check reads the database until
    /// [`set_listening`](Self::set_listening) has built one.
    pub fn new(prints: NameFingerprints, source: Arc<dyn TakenNameSource>, min_entries: usize) -> Self {
        Self {
            prints,
            source,
            min_entries,
            filters: RwLock::new(Filters::default()),
            lease: None,
            gauges: TakenNamesGauges::default(),
        }
    }

    /// Answers "free" only while `lease` is current.
    #[must_use]
    pub fn leased_by(mut self, lease: Arc<FreshnessLease>) -> Self {
        self.lease = Some(lease);
        self
    }

    /// Counts the checks answered from memory and from the database, and
    /// shows whether a filter answers, in these gauges (`/metrics`).
    #[must_use]
    pub fn reporting_to(mut self, gauges: TakenNamesGauges) -> Self {
        self.gauges = gauges;
        self
    }

    /// `false` when `name` is surely free; `true` when the database must say.
    pub fn may_be_taken(&self, name: TakenName<'_>) -> bool {
        let current = self.lease.as_ref().is_none_or(|lease| lease.is_current());
        let maybe = !current
            || self.prints.of_query(name).is_none_or(|print| {
                self.filters.read().ready.as_ref().is_none_or(|filter| filter.bits.contains_hash(print))
            });
        if maybe { &self.gauges.from_database } else { &self.gauges.from_memory }.inc();
        maybe
    }

    /// `name` is (or is about to be) taken by this instance; its
    /// fingerprints, to announce to the other instances.
    pub fn note(self: &Arc<Self>, name: TakenName<'_>) -> Vec<u64> {
        let prints = self.prints.of(name);
        for print in &prints {
            self.note_print(*print);
        }
        prints
    }

    /// An account's names as the account-change log read them.
    pub fn note_row(self: &Arc<Self>, row: &TakenNameRow) {
        let mut names = vec![TakenName::Username(&row.username)];
        names.extend(row.mobile.as_deref().map(TakenName::Mobile));
        names.extend(row.email.as_deref().map(TakenName::Email));
        for name in names {
            self.note(name);
        }
    }

    /// A fingerprint taken here, or announced by another instance.
    pub fn note_print(self: &Arc<Self>, print: u64) {
        let overfull = {
            let filters = self.filters.read();
            if let Some(building) = &filters.building {
                building.note(print);
            }
            filters.ready.as_ref().is_some_and(|ready| ready.note(print)) && filters.building.is_none()
        };
        if overfull {
            tracing::info!("the taken-names filter is fuller than it was sized for; building a larger one");
            self.build();
        }
    }

    /// Whether every name taken elsewhere reaches this instance. Going deaf
    /// drops the filter (names announced from now on would be missed);
    /// hearing again builds a new one from the table.
    pub fn set_listening(self: &Arc<Self>, listening: bool) {
        {
            let mut filters = self.filters.write();
            filters.generation += 1;
            filters.ready = None;
            filters.building = None;
        }
        self.gauges.ready.set(0);
        if listening {
            self.build();
        }
    }

    /// Whether checks are answered from memory now.
    pub fn is_ready(&self) -> bool {
        self.filters.read().ready.is_some()
    }

    fn build(self: &Arc<Self>) {
        let names = Arc::clone(self);
        tokio::spawn(async move { names.build_until_done().await });
    }

    async fn build_until_done(&self) {
        let generation = self.filters.read().generation;
        loop {
            match self.build_once(generation).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "could not read the taken names; availability checks read the database until they can be");
                    tokio::time::sleep(RETRY).await;
                }
            }
            if self.filters.read().generation != generation {
                return;
            }
        }
    }

    async fn build_once(&self, generation: u64) -> Result<(), application::ports::RepoError> {
        let started = Instant::now();
        let accounts = self.source.count().await?;
        let filter = Arc::new(Filter::sized_for(accounts, self.min_entries));
        {
            let mut filters = self.filters.write();
            if filters.generation != generation {
                return Ok(());
            }
            filters.building = Some(Arc::clone(&filter));
        }
        let mut after = 0;
        loop {
            let rows = self.source.page(after, PAGE).await?;
            for row in &rows {
                self.put_row(&filter, row);
            }
            match rows.last() {
                Some(last) if rows.len() == PAGE as usize => after = last.id,
                _ => break,
            }
        }
        let mut filters = self.filters.write();
        if filters.generation == generation && filters.building.as_ref().is_some_and(|b| Arc::ptr_eq(b, &filter)) {
            filters.building = None;
            filters.ready = Some(filter);
            self.gauges.ready.set(1);
            tracing::info!(
                accounts,
                elapsed_ms = started.elapsed().as_millis(),
                "taken-names filter built: availability checks of free names answer from memory"
            );
        }
        Ok(())
    }

    fn put_row(&self, filter: &Filter, row: &TakenNameRow) {
        let mut prints = self.prints.of(TakenName::Username(&row.username));
        if let Some(mobile) = &row.mobile {
            prints.extend(self.prints.of(TakenName::Mobile(mobile)));
        }
        if let Some(email) = &row.email {
            prints.extend(self.prints.of(TakenName::Email(email)));
        }
        for print in prints {
            filter.note(print);
        }
    }
}

/// A filter of a table without accounts, built: for the tests of the stores that tell it names.
#[cfg(test)]
pub(crate) async fn built_without_accounts() -> Arc<TakenNames> {
    struct NoAccounts;

    #[async_trait::async_trait]
    impl TakenNameSource for NoAccounts {
        async fn count(&self) -> Result<u64, application::ports::RepoError> {
            Ok(0)
        }

        async fn page(&self, _after: i64, _limit: u32) -> Result<Vec<TakenNameRow>, application::ports::RepoError> {
            Ok(Vec::new())
        }
    }

    let names = Arc::new(TakenNames::new(
        NameFingerprints::new(&security::ServiceSecret::from(b"secret")),
        Arc::new(NoAccounts),
        1_000,
    ));
    names.set_listening(true);
    while !names.is_ready() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    names
}

#[cfg(test)]
mod tests {
    use application::ports::RepoError;
    use async_trait::async_trait;
    use parking_lot::Mutex;
    use tokio::sync::Notify;

    use super::*;
    use crate::account_changes::FRESHNESS_BOUND;

    /// A table of accounts; `gate`, when set, holds every page until notified.
    #[derive(Default)]
    struct Table {
        rows: Mutex<Vec<TakenNameRow>>,
        gate: Option<Arc<Notify>>,
        failures_left: Mutex<u32>,
    }

    #[async_trait]
    impl TakenNameSource for Table {
        async fn count(&self) -> Result<u64, RepoError> {
            let mut failures = self.failures_left.lock();
            if *failures > 0 {
                *failures -= 1;
                return Err(RepoError::Unavailable("down".into()));
            }
            Ok(self.rows.lock().len() as u64)
        }

        async fn page(&self, after: i64, limit: u32) -> Result<Vec<TakenNameRow>, RepoError> {
            if let Some(gate) = &self.gate {
                gate.notified().await;
            }
            let rows = self.rows.lock();
            Ok(rows.iter().filter(|row| row.id > after).take(limit as usize).cloned().collect())
        }
    }

    fn row(id: i64, username: &str, mobile: Option<&str>, email: Option<&str>) -> TakenNameRow {
        TakenNameRow { id, username: username.into(), mobile: mobile.map(Into::into), email: email.map(Into::into) }
    }

    fn names(table: Table, min_entries: usize) -> Arc<TakenNames> {
        Arc::new(TakenNames::new(
            NameFingerprints::new(&security::ServiceSecret::from(b"secret")),
            Arc::new(table),
            min_entries,
        ))
    }

    async fn until_ready(names: &TakenNames) {
        for _ in 0..500 {
            if names.is_ready() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the filter was never built");
    }

    #[tokio::test]
    async fn once_built_a_free_name_is_answered_and_every_stored_name_goes_to_the_database() {
        let table = Table::default();
        table
            .rows
            .lock()
            .extend([row(1, "Alice_1", Some("13800138000"), Some("alice@example.com")), row(2, "bob_22", None, None)]);
        let names = names(table, 1_000);
        assert!(names.may_be_taken(TakenName::Username("nobody")), "no filter yet: the database answers");

        names.set_listening(true);
        until_ready(&names).await;
        assert!(!names.may_be_taken(TakenName::Username("nobody")));
        assert!(!names.may_be_taken(TakenName::Mobile("13900139000")));
        assert!(!names.may_be_taken(TakenName::Email("nobody@example.com")));
        for taken in [
            TakenName::Username("alice_1"),
            TakenName::Username("ALICE_1"),
            TakenName::Username("bob_22"),
            TakenName::Mobile("13800138000"),
            TakenName::Email("alice@example.com"),
        ] {
            assert!(names.may_be_taken(taken), "{taken:?}");
        }
        assert!(!names.may_be_taken(TakenName::Username("13800138000")), "a mobile is not a username");
        assert!(names.may_be_taken(TakenName::Username("nobodÿ")), "outside ASCII only the database can say");
    }

    #[tokio::test]
    async fn a_noted_name_is_taken_and_going_deaf_sends_every_check_to_the_database() {
        let names = names(Table::default(), 1_000);
        names.set_listening(true);
        until_ready(&names).await;
        names.note(TakenName::Username("carol_3"));
        assert!(names.may_be_taken(TakenName::Username("Carol_3")));

        names.set_listening(false);
        assert!(!names.is_ready());
        assert!(names.may_be_taken(TakenName::Username("nobody")));
        names.set_listening(true);
        until_ready(&names).await;
        assert!(!names.may_be_taken(TakenName::Username("nobody")));
    }

    #[tokio::test]
    async fn a_leased_filter_answers_free_only_while_the_lease_is_current_and_learns_rows_from_the_log() {
        let lease = Arc::new(FreshnessLease::default());
        let names = Arc::new(
            TakenNames::new(
                NameFingerprints::new(&security::ServiceSecret::from(b"secret")),
                Arc::new(Table::default()),
                1_000,
            )
            .leased_by(Arc::clone(&lease)),
        );
        names.set_listening(true);
        until_ready(&names).await;
        assert!(names.may_be_taken(TakenName::Username("nobody")), "never read the log: the database answers");
        lease.renew(std::time::Instant::now());
        assert!(!names.may_be_taken(TakenName::Username("nobody")));
        names.note_row(&row(7, "Dave_4", Some("13900139000"), Some("dave@example.com")));
        for taken in
            [TakenName::Username("dave_4"), TakenName::Mobile("13900139000"), TakenName::Email("dave@example.com")]
        {
            assert!(names.may_be_taken(taken), "{taken:?}");
        }
        let lapsed = Arc::new(FreshnessLease::default());
        let names = Arc::new(
            TakenNames::new(
                NameFingerprints::new(&security::ServiceSecret::from(b"secret")),
                Arc::new(Table::default()),
                1_000,
            )
            .leased_by(lapsed.clone()),
        );
        names.set_listening(true);
        until_ready(&names).await;
        lapsed.renew(std::time::Instant::now().checked_sub(FRESHNESS_BOUND).unwrap());
        assert!(names.may_be_taken(TakenName::Username("nobody")), "a lapsed lease sends every check to the database");
    }

    #[tokio::test]
    async fn a_name_taken_while_the_table_is_read_is_in_the_filter_built() {
        let gate = Arc::new(Notify::new());
        let table = Table { gate: Some(gate.clone()), ..Table::default() };
        let names = names(table, 1_000);
        names.set_listening(true);
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The page was read before this row committed, so only the note can carry it.
        names.note(TakenName::Mobile("13700137000"));
        gate.notify_one();
        until_ready(&names).await;
        assert!(names.may_be_taken(TakenName::Mobile("13700137000")));
    }

    #[tokio::test]
    async fn a_build_that_began_before_going_deaf_is_thrown_away() {
        let gate = Arc::new(Notify::new());
        let table = Table { gate: Some(gate.clone()), ..Table::default() };
        let names = names(table, 1_000);
        names.set_listening(true);
        tokio::time::sleep(Duration::from_millis(20)).await;
        names.set_listening(false);
        gate.notify_one();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!names.is_ready(), "names announced while deaf may be missing from it");
    }

    #[tokio::test(start_paused = true)]
    async fn a_table_that_cannot_be_read_is_tried_again() {
        let table = Table { failures_left: Mutex::new(2), ..Table::default() };
        let names = names(table, 1_000);
        names.set_listening(true);
        tokio::time::sleep(RETRY * 3).await;
        assert!(names.is_ready());
    }

    #[tokio::test]
    async fn a_filter_fuller_than_it_was_sized_for_is_built_again_larger() {
        let names = names(Table::default(), 4);
        names.set_listening(true);
        until_ready(&names).await;
        let first = names.filters.read().ready.as_ref().map(Arc::as_ptr);
        for n in 0..5 {
            names.note(TakenName::Username(&format!("user_{n}")));
        }
        for _ in 0..500 {
            if names.filters.read().ready.as_ref().map(Arc::as_ptr) != first {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the full filter was never replaced");
    }
}
