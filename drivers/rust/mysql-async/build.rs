#[path = "../lock_versions.rs"]
mod lock_versions;

fn main() {
    lock_versions::emit(&[
        ("LIB_VERSION", "mysql_async"),
        ("TOKIO_VERSION", "tokio"),
        ("RUSTLS_VERSION", "rustls"),
    ]);
}
