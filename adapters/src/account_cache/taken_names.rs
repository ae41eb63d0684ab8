use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fastbloom::AtomicBloomFilter;
use parking_lot::RwLock;

use super::{NameFingerprints, TakenName, TakenNameRow, TakenNameSource};

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

    /// Whether it is now fuller than it was sized for.
    fn note(&self, print: u64) -> bool {
        self.bits.insert_hash(print);
        self.noted.fetch_add(1, Ordering::Relaxed) + 1 > self.capacity
    }
}

impl TakenNames {
    /// Starts without a filter: every check reads the database until
    /// [`set_listening`](Self::set_listening) has built one.
    pub fn new(prints: NameFingerprints, source: Arc<dyn TakenNameSource>, min_entries: usize) -> Self {
        Self { prints, source, min_entries, filters: RwLock::new(Filters::default()) }
    }

    /// `false` when `name` is surely free; `true` when the database must say.
    pub fn may_be_taken(&self, name: TakenName<'_>) -> bool {
        let Some(print) = self.prints.of_query(name) else { return true };
        self.filters.read().ready.as_ref().is_none_or(|filter| filter.bits.contains_hash(print))
    }

    /// `name` is (or is about to be) taken, by this instance or another.
    pub fn note(self: &Arc<Self>, name: TakenName<'_>) {
        for print in self.prints.of(name) {
            self.note_print(print);
        }
    }

    /// The fingerprints of `name`, to announce to the other instances.
    pub fn prints_of(&self, name: TakenName<'_>) -> Vec<u64> {
        self.prints.of(name)
    }

    /// A fingerprint announced by another instance.
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
