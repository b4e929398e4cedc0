//! The attributes' messages on misuse, checked against `ui/*.stderr`, and one program
//! that must build and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
    t.pass("tests/ui/pass_*.rs");
}
