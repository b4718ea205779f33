//! The signals that end a run early and must not leave its containers behind: SIGINT (Ctrl-C),
//! SIGTERM (`timeout`, CI cancellation, `docker stop`) and SIGHUP (the terminal closed).
//! Once registered, their default action (die at once) is replaced by [`Signals::recv`].

use crate::Stop;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// The three signals, registered with tokio.
pub(crate) struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    /// Registers the handlers; must run inside a tokio runtime. Errors: the OS refused.
    pub(crate) fn new() -> std::io::Result<Self> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for the first of them.
    pub(crate) async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.interrupt.recv() => Stop::Interrupt,
            _ = self.terminate.recv() => Stop::Terminate,
            _ = self.hangup.recv() => Stop::Hangup,
        }
    }
}
