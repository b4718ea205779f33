#[path = "../lock_versions.rs"]
mod lock_versions;

fn main() {
    lock_versions::emit(&[
        ("LIB_VERSION", "sqlx"),
        ("TOKIO_VERSION", "tokio"),
        ("RUSTLS_VERSION", "rustls"),
        ("RING_VERSION", "ring"),
    ]);
}
