//! The process's allocator: mimalloc, with freed memory kept for reuse instead of handed back to
//! the system a second after it is freed.
//!
//! Both measured with `cordon bench ingest` (docs/BENCHMARKS.md): mimalloc against the system
//! allocator (the request path allocates many small strings), and purging off: its default
//! (memory idle for 1 s is decommitted, then faulted in and zeroed again when the next requests
//! need it) cost a fifth of single registrations and of batches. The price is that the process
//! keeps its peak: after a trace-index rebuild the old index's memory stays reserved, ready for
//! the next rebuild.

use std::os::raw::{c_int, c_long};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc v3's `mi_option_t` values (`include/mimalloc.h` of the libmimalloc-sys the lock file
// names), with their defaults, which `keep_freed_memory` checks before it changes anything.
const PURGE_DELAY: c_int = 15;
const PURGE_DELAY_DEFAULT: c_long = 1_000;
const OS_TAG: c_int = 18;
const OS_TAG_DEFAULT: c_long = 100;

#[allow(unsafe_code)]
mod ffi {
    use std::os::raw::{c_int, c_long};

    // SAFETY: both are plain C functions of the mimalloc library the global allocator links;
    // they take integers by value and touch only mimalloc's option table.
    unsafe extern "C" {
        fn mi_option_get(option: c_int) -> c_long;
        fn mi_option_set(option: c_int, value: c_long);
    }

    pub fn get(option: c_int) -> c_long {
        // SAFETY: see above; any option number is accepted (unknown ones read as 0).
        unsafe { mi_option_get(option) }
    }

    pub fn set(option: c_int, value: c_long) {
        // SAFETY: see above.
        unsafe { mi_option_set(option, value) }
    }
}

/// Turns purging off, unless `MIMALLOC_PURGE_DELAY` set it otherwise or the option numbers are
/// not the ones this was written for (then it says so and changes nothing).
pub fn keep_freed_memory() {
    let (purge, tag) = (ffi::get(PURGE_DELAY), ffi::get(OS_TAG));
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    if purge != PURGE_DELAY_DEFAULT || tag != OS_TAG_DEFAULT {
        tracing::warn!(
            purge,
            tag,
            "mimalloc's options are not numbered as expected; leaving them alone"
        );
        return;
    }
    ffi::set(PURGE_DELAY, -1);
}
