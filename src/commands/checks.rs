//! `posture checks`: the catalogue, one check, or a framework's coverage.

use anyhow::Context;

use crate::Completion;
use crate::cli::ChecksArgs;
use crate::evaluate::landing_zone::landing_zone_controls;
use crate::evaluate::{catalog, catalogue_version, load_nist_csf_2_aws, nist_csf_2};
use crate::output;
use crate::output::coverage::{CheckDetail, Coverage, Framework, Listing};

/// `posture checks`: the catalogue, one check, or a framework's coverage. Reads nothing but the
/// embedded catalogue, so it needs no credentials and no store.
pub(super) fn checks(args: &ChecksArgs) -> anyhow::Result<Completion> {
    let version = catalogue_version();
    if let Some(name) = &args.framework {
        let framework: Framework = name.parse().context("--framework")?;
        let evidence;
        let coverage = match framework {
            Framework::NistCsf2 => {
                evidence = load_nist_csf_2_aws()?;
                Coverage::nist_csf_2(version, catalog(), nist_csf_2(), &evidence)?
            }
        };
        if args.json {
            output::json(&coverage)?;
        } else {
            output::coverage(&coverage)?;
        }
    } else if let Some(id) = &args.id {
        let detail = CheckDetail::find(id, version, catalog(), nist_csf_2())?;
        if args.json {
            output::json(&detail)?;
        } else {
            output::check_detail(&detail)?;
        }
    } else {
        let landing_zone = landing_zone_controls(catalog())?;
        let listing = Listing {
            catalogue_version: version,
            checks: catalog(),
            landing_zone: &landing_zone,
        };
        if args.json {
            output::json(&listing)?;
        } else {
            output::checks_table(&listing)?;
        }
    }
    Ok(Completion::Done)
}
