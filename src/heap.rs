//! The C library's allocator, told to keep less.
//!
//! Most of a display's memory is not herald's own: lavapipe (the software renderer) keeps every
//! picture a frame uses (the window's images, the screen's picture, the kept rooms, 8 MB each at
//! 1080p) and its working buffers in memory from glibc's `malloc`, on the threads it draws with.
//! glibc's defaults suit a busy server: an arena per thread (up to eight per core), and a
//! threshold for taking big blocks straight from the kernel that rises to the biggest block ever
//! freed (up to 32 MB). After one 8 MB picture is freed at start (the first frames' textures, a
//! resize), every later one comes from an arena, and what an arena held stays with the process
//! after it is freed. A display runs for months; it should hold what it shows, not its peak.
//!
//! So, before any thread starts: two arenas, blocks from 1 MB up taken from and given back to the
//! kernel, and free memory at an arena's top returned from 1 MB. And once the screen has settled
//! after a change, [`give_back`] returns the free pages inside the arenas too.
//! `docs/performance.md` has what each bought (2026-12-05).

/// Two arenas: the main thread's and one for the renderer's and the edges' threads.
const ARENAS: i32 = 2;
/// Blocks from this size up come from `mmap` and go back with `munmap` when freed.
const BIG_BLOCK: i32 = 1 << 20;

/// Sets the allocator's limits. Call first in `main`, before any thread exists (glibc reads the
/// arena limit when a thread first allocates).
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(
        unsafe_code,
        reason = "mallopt is glibc's C interface; it takes plain integers and has no preconditions"
    )]
    // SAFETY: mallopt only sets the allocator's parameters; called before other threads run.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        // Setting the threshold also stops glibc from raising it on its own.
        libc::mallopt(libc::M_MMAP_THRESHOLD, BIG_BLOCK);
        libc::mallopt(libc::M_TRIM_THRESHOLD, BIG_BLOCK);
    }
}

/// Returns the free pages inside every arena to the kernel (a walk over the free lists: about a
/// millisecond). Worth it after a burst of allocations that are gone: the first frames, a
/// language switch, a new design.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(
        unsafe_code,
        reason = "malloc_trim is glibc's C interface; it is safe to call from any thread"
    )]
    // SAFETY: malloc_trim takes the arenas' own locks; it frees nothing that is in use.
    unsafe {
        libc::malloc_trim(0);
    }
}
