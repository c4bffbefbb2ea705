//! EC2's account-level settings that declarative policies pin, in one account and Region: four
//! `Get…` calls at once, each answering the setting and `ManagedBy`.

use aws_sdk_ec2::types::ManagedBy;

use super::Limiter;
use crate::aws::error::collect_error;
use crate::facts::{Collected, Ec2Setting, Ec2SettingsFacts};

/// What EC2 reports for a setting the account never made (IMDS defaults with no preference).
const NO_PREFERENCE: &str = "no-preference";

/// The settings of the account of `client` (its EC2 client in `region`).
pub(crate) async fn settings_in_region(
    client: &aws_sdk_ec2::Client,
    region: &str,
    limiter: &Limiter,
) -> Ec2SettingsFacts {
    let (image, snapshot, metadata, serial) = futures::join!(
        limiter.call(client.get_image_block_public_access_state().send()),
        limiter.call(client.get_snapshot_block_public_access_state().send()),
        limiter.call(client.get_instance_metadata_defaults().send()),
        limiter.call(client.get_serial_console_access_status().send()),
    );
    Ec2SettingsFacts {
        image_block_public_access: match image {
            Ok(out) => setting(out.image_block_public_access_state(), out.managed_by()),
            Err(err) => Collected::Error(collect_error(
                &err,
                "ec2",
                "GetImageBlockPublicAccessState",
                Some(region),
            )),
        },
        snapshot_block_public_access: match snapshot {
            Ok(out) => setting(out.state().map(|s| s.as_str()), out.managed_by()),
            Err(err) => Collected::Error(collect_error(
                &err,
                "ec2",
                "GetSnapshotBlockPublicAccessState",
                Some(region),
            )),
        },
        instance_metadata_defaults: match metadata {
            // No account-level defaults at all reads as no preference, as EC2 means it.
            Ok(out) => {
                let defaults = out.account_level();
                setting(
                    Some(
                        defaults
                            .and_then(|d| d.http_tokens())
                            .map_or(NO_PREFERENCE, |t| t.as_str()),
                    ),
                    defaults.and_then(|d| d.managed_by()),
                )
            }
            Err(err) => Collected::Error(collect_error(
                &err,
                "ec2",
                "GetInstanceMetadataDefaults",
                Some(region),
            )),
        },
        serial_console_access: match serial {
            Ok(out) => setting(
                out.serial_console_access_enabled()
                    .map(|on| if on { "enabled" } else { "disabled" }),
                out.managed_by(),
            ),
            Err(err) => Collected::Error(collect_error(
                &err,
                "ec2",
                "GetSerialConsoleAccessStatus",
                Some(region),
            )),
        },
    }
}

/// A setting as EC2 answered it (`unknown` when it gave no value).
fn setting(value: Option<&str>, managed_by: Option<&ManagedBy>) -> Collected<Ec2Setting> {
    Collected::Ok(Ec2Setting {
        value: value.unwrap_or("unknown").to_owned(),
        managed_by: managed_by.map(|m| m.as_str().to_owned()),
    })
}
