//! The README's key table is the user's reference: every action of assets/keymap.toml is in it
//! with exactly its default keys, and it names no action the keymap does not have.

use std::collections::BTreeMap;

/// `action → keys` from the README's `| action | default keys | what it does |` rows.
fn readme_table() -> BTreeMap<String, Vec<String>> {
    let readme = include_str!("../README.md");
    let start = readme
        .find("| action | default keys | what it does |")
        .expect("the README has its key table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let action = cells[1].trim_matches('`').to_string();
            let keys = cells[2]
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            (action, keys)
        })
        .collect()
}

/// `action → keys` from the default keymap.
fn keymap() -> BTreeMap<String, Vec<String>> {
    let table: toml::Table =
        toml::from_str(tern::config::keys::DEFAULT_KEYMAP).expect("the default keymap parses");
    table
        .into_iter()
        .map(|(action, keys)| {
            let keys = match keys {
                toml::Value::String(k) => vec![k],
                toml::Value::Array(ks) => ks
                    .into_iter()
                    .map(|k| k.as_str().expect("a key name").to_string())
                    .collect(),
                other => panic!("{action} = {other}"),
            };
            (action, keys)
        })
        .collect()
}

#[test]
fn the_readme_lists_every_action_with_its_default_keys() {
    let readme = readme_table();
    let keymap = keymap();
    let missing: Vec<_> = keymap.keys().filter(|a| !readme.contains_key(*a)).collect();
    assert!(
        missing.is_empty(),
        "not in the README's key table: {missing:?}"
    );
    let unknown: Vec<_> = readme.keys().filter(|a| !keymap.contains_key(*a)).collect();
    assert!(
        unknown.is_empty(),
        "in the README but not in the keymap: {unknown:?}"
    );
    for (action, keys) in &keymap {
        assert_eq!(&readme[action], keys, "keys of `{action}` in the README");
    }
}
