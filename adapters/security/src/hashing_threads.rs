use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, mpsc};

use application::ports::HashError;
use argon2::Block;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut HashMemory) + Send>;

/// The argon2 memory of one hashing thread, kept from one hash to the next.
///
/// Allocating the 19 MiB of every hash anew, on whichever blocking-pool thread
/// ran it, left glibc's per-thread arenas holding the freed blocks: a login
/// burst grew the process by hundreds of MiB that it never gave back. Kept
/// per thread, the memory is bounded by threads × cost.
pub(crate) struct HashMemory {
    blocks: Vec<Block>,
    /// Hashes needing more than this (a stored hash of a higher cost than
    /// today's) get memory of their own, freed afterwards.
    keep_at_most: usize,
}

impl HashMemory {
    pub(crate) fn new(keep_at_most: usize) -> Self {
        Self { blocks: Vec::new(), keep_at_most }
    }

    /// Runs `work` on `count` blocks.
    pub(crate) fn with_blocks<T>(&mut self, count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        if count > self.keep_at_most {
            return work(&mut vec![Block::new(); count]);
        }
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::new());
        }
        work(&mut self.blocks[..count])
    }
}

/// A fixed set of threads that compute password hashes, each with its own
/// [`HashMemory`]. Jobs queue in order while every thread is busy, so a burst
/// of logins waits instead of exhausting memory, and the async workers that
/// answer requests never wait for a hash.
pub(crate) struct HashingThreads {
    jobs: mpsc::Sender<Job>,
}

impl HashingThreads {
    /// `threads` threads (at least one), each keeping up to `keep_blocks` blocks,
    /// at `niceness` (0 to 19): above 0 they yield the CPU to the threads that
    /// answer requests, so a login flood slows reads less.
    pub(crate) fn start(threads: usize, keep_blocks: usize, niceness: u8) -> Result<Self, HashError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || {
                    lower_priority(niceness);
                    let mut memory = HashMemory::new(keep_blocks);
                    loop {
                        // The lock is held only while taking a job, not while hashing.
                        let next = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = next else { return };
                        // A panicking job must not take the thread, and its memory, with it;
                        // its caller sees the dropped answer as a failure.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
                    }
                })
                .map_err(|e| HashError::Failed(format!("cannot start a hashing thread: {e}")))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `work` on the next free hashing thread and waits for its answer.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut HashMemory) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The request went away while the job queued: nobody needs this hash.
            if answer.is_closed() {
                return;
            }
            let _ = answer.send(work(memory));
        });
        self.jobs.send(job).map_err(|_| HashError::Failed("the hashing threads stopped".into()))?;
        answered.await.map_err(|_| HashError::Failed("a hashing thread failed".into()))?
    }
}

/// Sets the calling thread's niceness (Linux keeps it per thread). Raising
/// one's own niceness needs no privilege; should the system refuse anyway,
/// hashing goes on at the normal priority.
fn lower_priority(niceness: u8) {
    use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};

    if niceness == 0 {
        return;
    }
    // The crate speaks a 0–99 scale that it maps onto niceness 19 to -20; this is
    // the inverse of that mapping (a test reads the niceness back from the kernel).
    let wanted = i32::from(niceness.min(19));
    let Some(level) = (0..=99u8).find(|level| 39 * (99 - i32::from(*level)) / 99 - 20 == wanted) else { return };
    let Ok(level) = ThreadPriorityValue::try_from(level) else { return };
    if let Err(error) = set_current_thread_priority(ThreadPriority::Crossplatform(level)) {
        tracing::warn!(?error, niceness, "could not lower the priority of a hashing thread");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_thread_keeps_its_memory_between_hashes_up_to_the_limit() {
        let threads = HashingThreads::start(1, 8, 0).unwrap();
        let first = threads.run(|memory| Ok(memory.with_blocks(8, |blocks| blocks.as_ptr() as usize))).await.unwrap();
        let second = threads.run(|memory| Ok(memory.with_blocks(4, |blocks| blocks.as_ptr() as usize))).await.unwrap();
        assert_eq!(first, second, "the same blocks serve the next hash");
        let larger = threads.run(|memory| Ok(memory.with_blocks(16, |blocks| blocks.len()))).await.unwrap();
        assert_eq!(larger, 16);
        let kept = threads.run(|memory| Ok(memory.blocks.len())).await.unwrap();
        assert_eq!(kept, 8, "memory beyond the limit is not kept");
    }

    #[tokio::test]
    async fn a_panicking_job_fails_its_caller_and_the_thread_goes_on() {
        let threads = HashingThreads::start(1, 1, 0).unwrap();
        let failed = threads.run(|_| -> Result<(), HashError> { panic!("boom") }).await;
        assert!(failed.is_err());
        assert_eq!(threads.run(|_| Ok(7)).await, Ok(7));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_the_niceness_asked_for() {
        // Field 19 of /proc/thread-self/stat is the thread's nice value.
        let nice_of_this_thread = |_: &mut HashMemory| {
            let stat =
                std::fs::read_to_string("/proc/thread-self/stat").map_err(|e| HashError::Failed(e.to_string()))?;
            let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            Ok(after_name.split_whitespace().nth(16).and_then(|nice| nice.parse::<i32>().ok()))
        };
        let niced = HashingThreads::start(1, 1, 7).unwrap();
        assert_eq!(niced.run(nice_of_this_thread).await.unwrap(), Some(7));
        let plain = HashingThreads::start(1, 1, 0).unwrap();
        assert_eq!(plain.run(nice_of_this_thread).await.unwrap(), Some(0));
    }
}
