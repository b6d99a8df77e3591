//! Handing freed memory back to the system. glibc keeps what a thread freed in that thread's
//! arena for its next allocations, so after a cold sync (rows parsed on fetcher threads,
//! chunks handed over, cache rows encoded and written) several megabytes stay resident that
//! nothing uses. Trimming once a sync is done returns them; it costs a few milliseconds.

/// Fixes glibc's thresholds at their defaults. Left to adjust themselves, they grow with
/// every large block freed (to 32 MiB), and then the free top of each thread's heap is never
/// handed back, not even by `malloc_trim`: after a cold sync of 100 000 messages, ~2 MB stayed
/// resident in the heaps of threads that had parsed, encoded and written rows. A block above
/// 128 KiB is mapped on its own and unmapped when freed.
pub fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; called before any thread starts.
    unsafe {
        let threshold: libc::c_int = 128 << 10;
        libc::mallopt(libc::M_MMAP_THRESHOLD, threshold);
        libc::mallopt(libc::M_TRIM_THRESHOLD, threshold);
    }
}

/// Returns free heap pages of every arena to the system, where the allocator allows it.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory the allocator holds free; nothing is borrowed
    // and no allocation moves.
    unsafe {
        libc::malloc_trim(0);
    }
}
