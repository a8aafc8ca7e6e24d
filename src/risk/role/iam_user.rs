//! The legitimate IAM-user cases: where no role replaces the key (a third-party tool that
//! takes only a long-term key when it runs outside AWS; break-glass access), the setup says
//! so and points to a secret store and rotation instead. No principal, no trust policy.
//!
//! Data, not code: each case is an [`IamUser`] whose `why` and `store` are its own words and
//! whose rotation is [`ROTATION`] for all. Which files are these cases is decided by
//! [`super::super::advice::IAM_USER_CONTEXTS`]; nothing here reads a file.

/// Why an IAM user stays, and where its key lives instead of the repository.
#[derive(Debug)]
pub struct IamUser {
    pub why: &'static str,
    pub store: &'static str,
}

/// How to rotate a key that stays: a new key first, so the tool never goes without one.
pub const ROTATION: &str = "Rotate it at most every 90 days: `aws iam create-access-key \
    --user-name <USER>`, put the new key where the old one was, then `aws iam update-access-key \
    --user-name <USER> --access-key-id <OLD_KEY_ID> --status Inactive` and, once nothing \
    fails, `aws iam delete-access-key --user-name <USER> --access-key-id <OLD_KEY_ID>`.";

pub const THIRD_PARTY_TOOL: IamUser = IamUser {
    why: "No role here: this tool (s3cmd, rclone, s3fs, Cyberduck, boto, restic, duplicity) \
        takes a long-term access key when it runs outside AWS, so an IAM user is the legitimate \
        case. (On EC2, ECS or EKS it can use the workload's role instead: rclone `env_auth = \
        true`; s3cmd, restic and duplicity read the SDK's default chain.) Give the user only \
        the actions the tool needs, on its bucket.",
    store: "Keep the key out of the repository: in AWS Secrets Manager, the CI's secret store or \
        a password manager, handed to the tool when it runs.",
};

pub const BREAK_GLASS: IamUser = IamUser {
    why: "No role here: break-glass access, for when IAM Identity Center or the identity \
        provider is down, is the legitimate case for an IAM user with a long-term key. Require \
        MFA on the user and alarm on every use of it (CloudTrail, an EventBridge rule on its \
        API calls).",
    store: "Never in a repository: keep the key sealed in AWS Secrets Manager (in another \
        account or Region than the one it rescues) or a password manager with access logged, \
        and rotate it after each use too.",
};

impl IamUser {
    /// The wiring: why, where to keep the key, how to rotate it.
    pub fn wiring(&self) -> String {
        format!("{} {} {ROTATION}", self.why, self.store)
    }
}
