/// The committed SDL is what clients code against: it must match the schema the code builds.
#[test]
fn committed_sdl_matches_the_code() {
    let committed = include_str!("../schema.graphql");
    let built = srb_schema::sdl();
    assert!(
        committed == built,
        "schema/schema.graphql is out of date: run `cargo run -- export-schema --out schema/schema.graphql` and commit it"
    );
}
