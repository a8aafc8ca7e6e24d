//! End-to-end tests of the `keyleak` binary: one test binary (`cargo test --test cli`), one
//! module per topic. They run the built executable with assert_cmd and check its exit code,
//! stdout and stderr; expected findings are written out in full, not copied from a run.

mod adoption;
mod advice_situation;
mod common;
mod completions;
mod config_no_echo;
mod determinism;
mod docs_links;
mod follow_links;
mod git_common;
mod git_history;
mod git_range;
mod git_range_base;
mod git_repos;
mod git_staged;
mod hook_files;
mod hostile_repo;
mod hostile_tree;
mod no_leak;
mod output_safety;
mod precommit;
mod readme_fields;
mod report_formats;
mod report_gitlab;
mod report_noise;
mod report_outputs;
mod resource_bounds;
mod scan_archives;
mod scan_canary;
mod scan_decoding;
mod scan_escaped_secrets;
mod scan_exit_codes;
mod scan_file_pairing;
mod scan_hex_nested;
mod scan_negative;
mod scan_output;
mod scan_pairing;
mod scan_presigned;
mod scan_regressions;
mod scan_sts_expiry;
mod scan_testdata;
mod scan_token_meta;
mod scan_walk;
mod verify_moto;
mod verify_offline;
