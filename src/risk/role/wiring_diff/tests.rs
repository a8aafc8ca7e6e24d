use super::*;

const PATH: &str = ".github/workflows/d.yml";
const ARN_HERE: &str = "arn:aws:iam::123456789012:role/<ROLE_NAME>";

/// The diff's hunks (headers dropped), or `None`.
fn hunks(yaml: &str) -> Option<String> {
    let d = plan(PATH, yaml.as_bytes())?.render(ARN_HERE)?;
    assert!(d.applies, "{}", d.patch);
    let body = d
        .patch
        .strip_prefix(&format!("--- a/{PATH}\n+++ b/{PATH}\n"))
        .unwrap();
    Some(body.to_string())
}

#[test]
fn action_inputs_become_role_to_assume() {
    let yaml = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: AKIAIOSFODNN7EXAMPLE\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n          aws-region: eu-west-1\n";
    assert_eq!(
        hunks(yaml).unwrap(),
        "@@ -1,10 +1,12 @@\n on: push\n jobs:\n   deploy:\n+    permissions:\n+      id-token: write\n+      contents: read\n     runs-on: ubuntu-latest\n     steps:\n       - uses: aws-actions/configure-aws-credentials@v4\n         with:\n-          aws-access-key-id: AKIAIOSFODNN7EXAMPLE\n-          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n+          role-to-assume: arn:aws:iam::123456789012:role/<ROLE_NAME>\n           aws-region: eu-west-1\n"
    );
}

#[test]
fn step_env_keys_get_a_step_and_the_job_block_is_merged() {
    let yaml = "on: push\njobs:\n  deploy:\n    permissions:\n      contents: read\n    environment: production\n    steps:\n    - uses: actions/checkout@v4\n    - run: aws s3 ls\n      env:\n        AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n        AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n        AWS_REGION: us-west-2\n";
    assert_eq!(
        hunks(yaml).unwrap(),
        "@@ -2,12 +2,16 @@\n jobs:\n   deploy:\n     permissions:\n+      id-token: write\n       contents: read\n     environment: production\n     steps:\n     - uses: actions/checkout@v4\n+    - name: Configure AWS credentials\n+      uses: aws-actions/configure-aws-credentials@v4\n+      with:\n+        role-to-assume: arn:aws:iam::123456789012:role/<ROLE_NAME>\n+        aws-region: us-west-2\n     - run: aws s3 ls\n       env:\n-        AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n-        AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n         AWS_REGION: us-west-2\n"
    );
}

#[test]
fn workflow_env_and_workflow_permissions() {
    // Keys for every job in the workflow's `env:`, which then goes; its `permissions:` gains
    // `id-token: write` once; a job calling a reusable workflow has no steps to change.
    let yaml = "on: push\npermissions:\n  contents: read\nenv:\n  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n  AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\njobs:\n  a:\n    steps:\n      - run: x\n  b:\n    steps:\n      - run: y\n  c:\n    uses: ./.github/workflows/other.yml\n";
    assert_eq!(
        hunks(yaml).unwrap(),
        "@@ -1,15 +1,23 @@\n on: push\n permissions:\n+  id-token: write\n   contents: read\n-env:\n-  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n-  AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n jobs:\n   a:\n     steps:\n+      - name: Configure AWS credentials\n+        uses: aws-actions/configure-aws-credentials@v4\n+        with:\n+          role-to-assume: arn:aws:iam::123456789012:role/<ROLE_NAME>\n+          aws-region: <AWS_REGION>\n       - run: x\n   b:\n     steps:\n+      - name: Configure AWS credentials\n+        uses: aws-actions/configure-aws-credentials@v4\n+        with:\n+          role-to-assume: arn:aws:iam::123456789012:role/<ROLE_NAME>\n+          aws-region: <AWS_REGION>\n       - run: y\n   c:\n     uses: ./.github/workflows/other.yml\n"
    );
}

#[test]
fn permissions_scalars_and_flow_mappings() {
    let with = |perm: &str| {
        format!(
            "on: push\njobs:\n  d:\n    permissions: {perm}\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: AKIAIOSFODNN7EXAMPLE\n"
        )
    };
    let flow = hunks(&with("{ contents: read, id-token: none }")).unwrap();
    assert!(
        flow.contains("-    permissions: { contents: read, id-token: none }\n+    permissions:\n+      id-token: write\n+      contents: read\n"),
        "{flow}"
    );
    assert!(!hunks(&with("write-all")).unwrap().contains("permissions"));
    let read_all = hunks(&with("read-all")).unwrap();
    assert!(read_all.contains("+      id-token: write\n+      actions: read\n"));
    assert!(read_all.contains("+      statuses: read\n"));
    let present = hunks(&with("\n      id-token: read")).unwrap();
    assert!(present.contains("-      id-token: read\n+      id-token: write\n"));
}

#[test]
fn nothing_to_rewire_gives_no_diff() {
    // A key in a script, a flow `env:`, no jobs, not UTF-8, not a workflow path.
    for yaml in [
        "on: push\njobs:\n  d:\n    steps:\n      - run: aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\n",
        "on: push\njobs:\n  d:\n    env: { AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE }\n    steps:\n      - run: x\n",
        "AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n",
    ] {
        assert!(plan(PATH, yaml.as_bytes()).is_none(), "{yaml}");
    }
    assert!(
        plan(
            PATH,
            b"jobs:\n  d:\n    env:\n      AWS_ACCESS_KEY_ID: \xff\n"
        )
        .is_none()
    );
    let yaml = b"jobs:\n  d:\n    env:\n      AWS_ACCESS_KEY_ID: x\n    steps:\n      - run: y\n";
    assert!(plan("ci/workflows/d.yml", yaml).is_none());
    assert!(plan("x.github/workflows/d.yml", yaml).is_none());
}

#[test]
fn paths_from_the_repository_root_and_crlf() {
    assert_eq!(
        repo_path("repo/.github/workflows/d.yml").as_deref(),
        Some(".github/workflows/d.yml")
    );
    assert_eq!(
        repo_path(".\\.github\\workflows\\d.yml").as_deref(),
        Some(".github/workflows/d.yml")
    );
    let yaml = "jobs:\r\n  d:\r\n    steps:\r\n      - env:\r\n          AWS_ACCESS_KEY_ID: x\r\n";
    let d = plan(PATH, yaml.as_bytes()).unwrap().render("R").unwrap();
    for line in d.patch.split('\n').skip(3).filter(|l| !l.is_empty()) {
        assert!(line.ends_with('\r'), "{line:?}");
    }
}
