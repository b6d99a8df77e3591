//! Handing freed memory back to the system. glibc keeps what a thread freed in that thread's
//! arena for its next allocations, so after a cold sync (rows parsed on fetcher threads,
//! chunks handed over, cache rows encoded and written) several megabytes stay resident that
//! nothing uses. Trimming once a sync is done returns them; it costs a few milliseconds.

/// Returns free heap pages of every arena to the system, where the allocator allows it.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory the allocator holds free; nothing is borrowed
    // and no allocation moves.
    unsafe {
        libc::malloc_trim(0);
    }
}
