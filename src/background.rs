//! Background threads that must not slow the work people wait on: an import's reading and
//! validation run below the priority of its writer and of requests.

/// Lowers the calling thread's scheduling priority (Linux `nice` 10 for this thread only; a no-op
/// elsewhere). Only for threads that end with their work: an unprivileged process cannot raise a
/// thread's priority again, so pooled threads must not call it.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread's own id, no memory is shared.
        let tid = unsafe { libc::gettid() };
        // A failure only leaves the thread at normal priority.
        let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10) };
    }
}

/// Starts `work` on a new thread of lowered priority at once; the future answers its result (or
/// the panic that ended it).
pub fn spawn_lowered<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = std::thread::Result<T>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        lower_this_thread();
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    });
    async move {
        match rx.await {
            Ok(r) => r,
            Err(e) => Err(Box::new(e) as Box<dyn std::any::Any + Send>),
        }
    }
}
