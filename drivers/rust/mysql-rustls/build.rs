#[path = "../lock_versions.rs"]
mod lock_versions;

fn main() {
    lock_versions::emit(&[
        ("LIB_VERSION", "mysql"),
        ("RUSTLS_VERSION", "rustls"),
        ("RING_VERSION", "ring"),
    ]);
}
