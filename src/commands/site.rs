//! `posture render`, `serve` and `publish`: the site, from the store to a folder, a port or S3.

use crate::Completion;
use crate::aws::{ClientFactory, upload_timeout_config};
use crate::cli::{PublishArgs, RenderArgs, ServeArgs};
use crate::output;
use crate::publish::{DeletePolicy, PublishOptions, S3Location, cloudfront_domain, read_site};

use super::{aws_target, runtime};

/// `posture render`: the site from every snapshot in the store.
pub(super) fn render_site(args: &RenderArgs) -> anyhow::Result<crate::render::RenderReport> {
    let report = crate::render::render(&crate::render::RenderOptions {
        snapshots_dir: args.store.snapshots_dir.clone(),
        out_dir: args.out.clone(),
        templates_dir: args.templates.clone(),
        force: args.force,
    })?;
    output::rendered(&report)?;
    Ok(report)
}

/// `posture publish`: the site to S3. The URL, the CloudFront domain and the site's folder are
/// checked before any AWS call.
pub(super) fn publish(args: &PublishArgs) -> anyhow::Result<Completion> {
    let location = S3Location::parse(&args.target)?;
    let cloudfront_domain = args
        .cloudfront_domain
        .as_deref()
        .map(cloudfront_domain)
        .transpose()?;
    let site = read_site(&args.site)?;
    let runtime = runtime()?;
    let target = aws_target(
        &runtime,
        args.sandbox,
        args.profile.as_ref(),
        args.region.as_ref(),
        args.endpoint_url.as_ref(),
    )?
    .with_timeouts(upload_timeout_config());
    let options = PublishOptions {
        location,
        dry_run: args.dry_run,
        policy: DeletePolicy {
            delete: args.delete,
            prune_versions: args.prune_versions,
        },
        concurrency: args.concurrency,
        multipart_threshold: args.multipart_threshold,
        cloudfront_domain,
    };
    let report = runtime.block_on(async {
        let factory = ClientFactory::load(target).await;
        crate::publish::publish(&factory, &site, &options).await
    })?;
    output::published(&report)?;
    Ok(Completion::Done)
}

/// `posture serve`: the site on 127.0.0.1 until interrupted.
pub(super) fn serve(args: &ServeArgs) -> anyhow::Result<Completion> {
    let server = crate::render::Server::bind(&args.out, args.port)?;
    output::serving(&args.out, &server.url())?;
    server.run();
    Ok(Completion::Done)
}
