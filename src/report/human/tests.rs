#[test]
fn bytes() {
    assert_eq!(super::human_bytes(12), "12 B");
    assert_eq!(super::human_bytes(2048), "2.0 KiB");
    assert_eq!(super::human_bytes(5 << 20), "5.0 MiB");
}
