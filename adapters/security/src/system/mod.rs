//! The clock and the secure random source.

mod random_code_generator;
mod system_clock;

pub use random_code_generator::RandomCodeGenerator;
pub use system_clock::SystemClock;
