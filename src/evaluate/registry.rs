//! The registry: the explicit list of checks, each with its metadata file and the function that
//! judges it (ripgrep's static flag list, not a walk over modules). Adding a check means adding
//! its TOML in `checks/`, its module in `src/evaluate/`, and one line here; a unit test keeps the
//! three in step.
//!
//! It only wires things together: no logic, no parsing (that is [`super::catalog`]).

use crate::facts::ScanFacts;
use crate::finding::Outcome;

use super::LandingZone;
use super::context::AccountContext;

use super::{
    access_analyzer_enabled, access_key_rotation, access_key_unused, cloudtrail_kms_encryption,
    cloudtrail_log_file_validation, cloudtrail_logs_outside_account, cloudtrail_multi_region,
    config_aggregator_organization, config_recorder_enabled, control_tower_landing_zone,
    delegated_admin_not_management, ec2_declarative_policy, external_access_findings,
    guardduty_enabled, guardduty_organization_coverage, iam_user_access_keys, iam_user_console_mfa,
    identity_center, management_account_no_iam_users, management_account_no_workloads,
    organization_structure, organization_trail_log_archive, rcp_data_perimeter,
    root_access_centralized, root_access_keys, root_mfa, scp_guardrails, scps_attached,
    securityhub_central_configuration, securityhub_enabled,
};

/// How a check is run.
#[derive(Clone, Copy)]
pub(crate) enum CheckLogic {
    /// Once per scanned account whose role could be assumed.
    Account {
        /// The check.
        evaluate: fn(&AccountContext<'_>) -> Vec<Outcome>,
        /// The resource of the finding the runner gives an account the check cannot judge at
        /// all (role not assumable, account skipped): the one the check's own verdicts use for
        /// the account as a whole, so the finding keeps its identity once the account is
        /// readable again.
        account_resource: fn(&str) -> String,
    },
    /// Once per scan, over all its facts (the organization's, and the management account's when
    /// it was scanned), knowing how the landing zone's parts are recognised.
    Organization(fn(&ScanFacts, &LandingZone) -> Vec<Outcome>),
}

/// One registered check.
#[derive(Clone, Copy)]
pub(crate) struct RegisteredCheck {
    /// The check id; its metadata file is `checks/<id>.toml`.
    pub(crate) id: &'static str,
    /// That file's text, embedded.
    pub(crate) toml: &'static str,
    /// The function that judges it.
    pub(crate) logic: CheckLogic,
}

/// Embeds `checks/<id>.toml`.
macro_rules! check_toml {
    ($id:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/checks/",
            $id,
            ".toml"
        ))
    };
}

/// Every check, in the order the catalogue lists them (the mission's order).
pub(crate) static CHECKS: &[RegisteredCheck] = &[
    RegisteredCheck {
        id: "root-mfa",
        toml: check_toml!("root-mfa"),
        logic: CheckLogic::Account {
            evaluate: root_mfa::evaluate,
            account_resource: root_mfa::root_arn,
        },
    },
    RegisteredCheck {
        id: "cloudtrail-multi-region",
        toml: check_toml!("cloudtrail-multi-region"),
        logic: CheckLogic::Account {
            evaluate: cloudtrail_multi_region::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "delegated-admin-not-management",
        toml: check_toml!("delegated-admin-not-management"),
        logic: CheckLogic::Organization(|facts, _| {
            delegated_admin_not_management::evaluate(&facts.organization)
        }),
    },
    RegisteredCheck {
        id: "iam-user-access-keys",
        toml: check_toml!("iam-user-access-keys"),
        logic: CheckLogic::Account {
            evaluate: iam_user_access_keys::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "external-access-findings",
        toml: check_toml!("external-access-findings"),
        logic: CheckLogic::Account {
            evaluate: external_access_findings::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "root-access-keys",
        toml: check_toml!("root-access-keys"),
        logic: CheckLogic::Account {
            evaluate: root_access_keys::evaluate,
            account_resource: root_mfa::root_arn,
        },
    },
    RegisteredCheck {
        id: "iam-user-console-mfa",
        toml: check_toml!("iam-user-console-mfa"),
        logic: CheckLogic::Account {
            evaluate: iam_user_console_mfa::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "access-key-rotation",
        toml: check_toml!("access-key-rotation"),
        logic: CheckLogic::Account {
            evaluate: access_key_rotation::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "access-key-unused",
        toml: check_toml!("access-key-unused"),
        logic: CheckLogic::Account {
            evaluate: access_key_unused::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "cloudtrail-log-file-validation",
        toml: check_toml!("cloudtrail-log-file-validation"),
        logic: CheckLogic::Account {
            evaluate: cloudtrail_log_file_validation::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "cloudtrail-kms-encryption",
        toml: check_toml!("cloudtrail-kms-encryption"),
        logic: CheckLogic::Account {
            evaluate: cloudtrail_kms_encryption::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "cloudtrail-logs-outside-account",
        toml: check_toml!("cloudtrail-logs-outside-account"),
        logic: CheckLogic::Account {
            evaluate: cloudtrail_logs_outside_account::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "guardduty-enabled",
        toml: check_toml!("guardduty-enabled"),
        logic: CheckLogic::Account {
            evaluate: guardduty_enabled::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "access-analyzer-enabled",
        toml: check_toml!("access-analyzer-enabled"),
        logic: CheckLogic::Account {
            evaluate: access_analyzer_enabled::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "securityhub-enabled",
        toml: check_toml!("securityhub-enabled"),
        logic: CheckLogic::Account {
            evaluate: securityhub_enabled::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "management-account-no-iam-users",
        toml: check_toml!("management-account-no-iam-users"),
        logic: CheckLogic::Organization(|facts, _| {
            management_account_no_iam_users::evaluate(facts)
        }),
    },
    RegisteredCheck {
        id: "management-account-no-workloads",
        toml: check_toml!("management-account-no-workloads"),
        logic: CheckLogic::Organization(|facts, _| {
            management_account_no_workloads::evaluate(facts)
        }),
    },
    RegisteredCheck {
        id: "scps-attached",
        toml: check_toml!("scps-attached"),
        logic: CheckLogic::Organization(|facts, _| scps_attached::evaluate(facts)),
    },
    RegisteredCheck {
        id: "scp-guardrails",
        toml: check_toml!("scp-guardrails"),
        logic: CheckLogic::Account {
            evaluate: scp_guardrails::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "organization-structure",
        toml: check_toml!("organization-structure"),
        logic: CheckLogic::Organization(organization_structure::evaluate),
    },
    RegisteredCheck {
        id: "guardduty-organization-coverage",
        toml: check_toml!("guardduty-organization-coverage"),
        logic: CheckLogic::Organization(|facts, _| {
            guardduty_organization_coverage::evaluate(facts)
        }),
    },
    RegisteredCheck {
        id: "securityhub-central-configuration",
        toml: check_toml!("securityhub-central-configuration"),
        logic: CheckLogic::Organization(|facts, _| {
            securityhub_central_configuration::evaluate(facts)
        }),
    },
    RegisteredCheck {
        id: "control-tower-landing-zone",
        toml: check_toml!("control-tower-landing-zone"),
        logic: CheckLogic::Organization(|facts, _| control_tower_landing_zone::evaluate(facts)),
    },
    RegisteredCheck {
        id: "organization-trail-log-archive",
        toml: check_toml!("organization-trail-log-archive"),
        logic: CheckLogic::Organization(organization_trail_log_archive::evaluate),
    },
    RegisteredCheck {
        id: "root-access-centralized",
        toml: check_toml!("root-access-centralized"),
        logic: CheckLogic::Account {
            evaluate: root_access_centralized::evaluate,
            account_resource: root_mfa::root_arn,
        },
    },
    RegisteredCheck {
        id: "rcp-data-perimeter",
        toml: check_toml!("rcp-data-perimeter"),
        logic: CheckLogic::Account {
            evaluate: rcp_data_perimeter::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "identity-center",
        toml: check_toml!("identity-center"),
        logic: CheckLogic::Account {
            evaluate: identity_center::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "config-recorder-enabled",
        toml: check_toml!("config-recorder-enabled"),
        logic: CheckLogic::Account {
            evaluate: config_recorder_enabled::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "ec2-declarative-policy",
        toml: check_toml!("ec2-declarative-policy"),
        logic: CheckLogic::Account {
            evaluate: ec2_declarative_policy::evaluate,
            account_resource: str::to_owned,
        },
    },
    RegisteredCheck {
        id: "config-aggregator-organization",
        toml: check_toml!("config-aggregator-organization"),
        logic: CheckLogic::Organization(|facts, _| config_aggregator_organization::evaluate(facts)),
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::catalog::{Scope, parse_check, parse_nist_csf_2};
    use super::*;

    #[test]
    fn registered_ids_are_the_toml_files_in_checks() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/checks");
        // Every TOML file there is a check but two, named here rather than by a pattern so that a
        // misnamed check file still fails this test.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let classification = root.join(super::super::csf_evidence::NIST_CSF_2_AWS_FILE);
        let landing_zone = root.join(super::super::landing_zone::LANDING_ZONE_FILE);
        let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .filter(|path| *path != classification && *path != landing_zone)
            .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        let registered: BTreeSet<String> = CHECKS.iter().map(|c| c.id.to_owned()).collect();
        assert_eq!(on_disk, registered);
        assert_eq!(registered.len(), CHECKS.len(), "an id is registered twice");
    }

    #[test]
    fn every_registered_check_parses_validates_and_matches_its_logic() {
        let core = parse_nist_csf_2().unwrap();
        let csf_ids: BTreeSet<&str> = core.iter().map(|s| s.id.as_str()).collect();
        for check in CHECKS {
            let meta =
                parse_check(check.id, check.toml, &csf_ids).unwrap_or_else(|err| panic!("{err}"));
            let fits = match check.logic {
                CheckLogic::Account { .. } => matches!(meta.scope, Scope::Account | Scope::Region),
                CheckLogic::Organization(_) => meta.scope == Scope::Organization,
            };
            assert!(
                fits,
                "{}: scope {:?} does not fit its logic",
                check.id, meta.scope
            );
        }
    }

    #[test]
    fn the_mission_checks_come_first() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id).take(5).collect();
        assert_eq!(
            ids,
            [
                "root-mfa",
                "cloudtrail-multi-region",
                "delegated-admin-not-management",
                "iam-user-access-keys",
                "external-access-findings",
            ]
        );
    }
}
