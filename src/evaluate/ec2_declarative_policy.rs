//! `ec2-declarative-policy`: in every scanned Region, an EC2 declarative policy pins the account's
//! EC2 settings to their safe values, so that no one in the account can turn them back.
//!
//! Four settings, each read in the account and Region with who decides it (`ManagedBy`): block
//! public access for AMIs (`block-new-sharing`, the only blocking state) and for EBS snapshots
//! (`block-all-sharing`: `block-new-sharing` leaves snapshots already public as they are, and is
//! what AWS Config's `ebs-snapshot-block-public-access` fails), the instance metadata default
//! (`HttpTokens` `required`: IMDSv2 only), and the EC2 serial console (`disabled`). A setting
//! holds when it has the safe value and `ManagedBy` is `declarative-policy`; a safe value the
//! account set itself fails, because the account (or an intruder in it) can change it back. One
//! finding per scanned Region (resource: the account id), made of the four parts
//! ([`Parts`]); the evidence also says whether `DECLARATIVE_POLICY_EC2` is enabled on the root,
//! without which nothing can be pinned.
//!
//! Pure: no I/O, no clock, no logging.

use super::context::AccountContext;
use super::describe_error;
use super::error_evidence;
use super::parts::Parts;
use crate::facts::{Collected, Ec2Setting, Ec2SettingsFacts};
use crate::finding::Outcome;

/// The Organizations policy type of EC2 declarative policies.
pub(crate) const POLICY_TYPE: &str = "DECLARATIVE_POLICY_EC2";

/// `ManagedBy` of a setting a declarative policy pins.
const PINNED: &str = "declarative-policy";

/// One of the four settings: where it is in the facts, what it is called, its safe value.
struct Requirement {
    /// The evidence label, and the setting's name in a reason.
    label: &'static str,
    /// The value that holds.
    safe: &'static str,
    /// The setting in one Region's facts.
    read: fn(&Ec2SettingsFacts) -> &Collected<Ec2Setting>,
}

/// The settings, in the order the evidence lists them.
const REQUIREMENTS: [Requirement; 4] = [
    Requirement {
        label: "AMI block public access",
        safe: "block-new-sharing",
        read: |f| &f.image_block_public_access,
    },
    Requirement {
        label: "snapshot block public access",
        safe: "block-all-sharing",
        read: |f| &f.snapshot_block_public_access,
    },
    Requirement {
        label: "IMDS default HttpTokens",
        safe: "required",
        read: |f| &f.instance_metadata_defaults,
    },
    Requirement {
        label: "serial console access",
        safe: "disabled",
        read: |f| &f.serial_console_access,
    },
];

/// Judges EC2's account settings in every scanned Region of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = ctx.account.account_id.as_str();
    let policy_type = policy_type_state(ctx);
    ctx.per_region(&ctx.account.ec2_settings, |region, facts| {
        let mut parts = Parts::default();
        for requirement in &REQUIREMENTS {
            judge(requirement, facts, region, &mut parts);
        }
        parts.saw(POLICY_TYPE, policy_type.clone());
        parts.outcome(Some(region), account_id, || {
            format!(
                "a declarative policy pins AMI and snapshot block public access, IMDSv2 by \
                 default and the serial console off in {region}"
            )
        })
    })
}

/// One setting in one Region: safe and pinned holds; otherwise it fails, saying which.
fn judge(requirement: &Requirement, facts: &Ec2SettingsFacts, region: &str, parts: &mut Parts) {
    let label = requirement.label;
    let setting = match (requirement.read)(facts) {
        Collected::Error(err) => {
            parts.unread(
                label,
                error_evidence(err),
                format!("the {label} setting in {region}: {}", describe_error(err)),
            );
            return;
        }
        Collected::Ok(setting) => setting,
    };
    let managed_by = setting.managed_by.as_deref().unwrap_or("unknown");
    let seen = format!("{} (managed by {managed_by})", setting.value);
    let pinned = setting.managed_by.as_deref() == Some(PINNED);
    match (setting.value == requirement.safe, pinned) {
        (true, true) => parts.saw(label, seen),
        (true, false) => {
            let by = match setting.managed_by.as_deref() {
                Some("account") => "set by the account".to_owned(),
                other => format!("managed by {}", other.unwrap_or("no one EC2 names")),
            };
            parts.fail(
                label,
                seen,
                format!(
                    "{label} is {} in {region} but {by}, not pinned by a declarative policy",
                    setting.value
                ),
            );
        }
        (false, _) => parts.fail(
            label,
            seen,
            format!(
                "{label} is {}, not {}, in {region}{}",
                setting.value,
                requirement.safe,
                if pinned {
                    " (a declarative policy pins it so)"
                } else {
                    ""
                }
            ),
        ),
    }
}

/// Whether declarative policies for EC2 are enabled on the root, for the evidence.
fn policy_type_state(ctx: &AccountContext<'_>) -> String {
    match &ctx.organization.policies {
        None => "not recorded".to_owned(),
        Some(Collected::Error(err)) => error_evidence(err),
        Some(Collected::Ok(policies)) if policies.type_enabled(POLICY_TYPE) => {
            "enabled on the root".to_owned()
        }
        Some(Collected::Ok(_)) => "not enabled on the root: no setting can be pinned".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, account, context, error, in_regions, organization};
    use super::*;
    use crate::facts::{OrganizationFacts, OrganizationPolicies, RootPolicyType};
    use crate::finding::Status;

    const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

    fn setting(value: &str, managed_by: &str) -> Collected<Ec2Setting> {
        Collected::Ok(Ec2Setting {
            value: value.to_owned(),
            managed_by: Some(managed_by.to_owned()),
        })
    }

    /// Every setting safe and pinned.
    fn pinned() -> Ec2SettingsFacts {
        Ec2SettingsFacts {
            image_block_public_access: setting("block-new-sharing", PINNED),
            snapshot_block_public_access: setting("block-all-sharing", PINNED),
            instance_metadata_defaults: setting("required", PINNED),
            serial_console_access: setting("disabled", PINNED),
        }
    }

    fn with_policy_type(enabled: bool) -> OrganizationFacts {
        OrganizationFacts {
            policies: Some(Collected::Ok(OrganizationPolicies {
                root_id: "r-root".to_owned(),
                organization_id: "o-example".to_owned(),
                policy_types: if enabled {
                    vec![RootPolicyType {
                        policy_type: POLICY_TYPE.to_owned(),
                        status: "ENABLED".to_owned(),
                    }]
                } else {
                    Vec::new()
                },
                by_type: Vec::new(),
                placements: Vec::new(),
            })),
            ..organization()
        }
    }

    fn judged(per_region: Vec<Ec2SettingsFacts>, org: &OrganizationFacts) -> Vec<Outcome> {
        let mut account = account(ACCT);
        account.ec2_settings = in_regions(&REGIONS, per_region);
        let regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
        evaluate(&context(&account, org, &regions))
    }

    #[test]
    fn settings_safe_and_pinned_pass_in_every_region() {
        let outcomes = judged(vec![pinned(), pinned()], &with_policy_type(true));
        assert_eq!(outcomes.len(), 2);
        for (outcome, region) in outcomes.iter().zip(REGIONS) {
            assert_eq!(outcome.status, Status::Pass, "{}", outcome.reason);
            assert_eq!(outcome.region.as_deref(), Some(region));
            assert_eq!(
                outcome.evidence["snapshot block public access"],
                "block-all-sharing (managed by declarative-policy)"
            );
            assert_eq!(outcome.evidence[POLICY_TYPE], "enabled on the root");
        }
    }

    #[test]
    fn a_safe_value_the_account_set_itself_or_an_unsafe_one_fails_naming_each() {
        let mut own = pinned();
        own.instance_metadata_defaults = setting("required", "account");
        own.snapshot_block_public_access = setting("block-new-sharing", "account");
        let mut loose = pinned();
        loose.serial_console_access = setting("enabled", PINNED);
        let outcomes = judged(vec![own, loose], &with_policy_type(false));
        let [east, west] = &outcomes[..] else {
            panic!("two Regions: {outcomes:?}")
        };
        assert_eq!(east.status, Status::Fail);
        assert_eq!(
            east.reason,
            "snapshot block public access is block-new-sharing, not block-all-sharing, in \
             us-east-1; IMDS default HttpTokens is required in us-east-1 but set by the account, \
             not pinned by a declarative policy"
        );
        assert_eq!(
            east.evidence[POLICY_TYPE],
            "not enabled on the root: no setting can be pinned"
        );
        assert_eq!(west.status, Status::Fail);
        assert_eq!(
            west.reason,
            "serial console access is enabled, not disabled, in eu-west-1 (a declarative policy \
             pins it so)"
        );
    }

    #[test]
    fn what_could_not_be_read_is_error_unless_something_fails() {
        let denied = error(
            "ec2",
            "GetSerialConsoleAccessStatus",
            "UnauthorizedOperation",
        );
        let mut unread = pinned();
        unread.serial_console_access = Collected::Error(denied.clone());
        let mut unread_and_open = unread.clone();
        unread_and_open.image_block_public_access = setting("unblocked", "account");
        let outcomes = judged(vec![unread, unread_and_open], &with_policy_type(true));
        assert_eq!(outcomes[0].status, Status::Error);
        assert!(
            outcomes[0].reason.contains("UnauthorizedOperation"),
            "{}",
            outcomes[0].reason
        );
        assert!(
            outcomes[0].evidence["serial console access"].starts_with("not read: "),
            "{:?}",
            outcomes[0].evidence
        );
        assert_eq!(outcomes[1].status, Status::Fail);
        assert!(
            outcomes[1].reason.contains("also unread"),
            "{}",
            outcomes[1].reason
        );
        // A snapshot of a posture that did not read them: ERROR in each Region, never PASS.
        let old = judged(Vec::new(), &with_policy_type(true));
        assert_eq!(old.len(), 2);
        assert!(old.iter().all(|o| o.status == Status::Error), "{old:?}");
        // The organization's policies unread: the evidence says so, the settings still judge.
        let org = OrganizationFacts {
            policies: Some(Collected::Error(error(
                "organizations",
                "ListRoots",
                "AccessDenied",
            ))),
            ..organization()
        };
        let outcomes = judged(vec![pinned(), pinned()], &org);
        assert_eq!(outcomes[0].status, Status::Pass);
        assert!(outcomes[0].evidence[POLICY_TYPE].starts_with("not read: "));
    }
}
