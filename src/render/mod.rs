//! `render`: the static site, built from the snapshot store alone (no AWS access), like mdBook's
//! render context. `view` turns a snapshot into the typed structs the templates see (pure),
//! `score` counts cells, `svg` draws the charts, `templates` loads the Tera files, `components`
//! writes the markup repeated per finding (with `badges`, the templates' components rendered
//! once per value, and `links`), and `site` writes the pages, version by version; `serve` shows
//! the result on 127.0.0.1. Imports run one way: `site` → `view` → `components` → `badges` →
//! `templates` (see `site-templates/README.md` for who owns which markup).

mod badges;
mod components;
mod folder;
mod links;
mod score;
mod serve;
mod site;
mod svg;
mod templates;
pub mod view;

pub use self::badges::{Badge, Badges};
pub use self::components::Markup;
pub use self::folder::{SiteFolderError, site_files};
pub use self::score::{CellKey, CellStatus, Cells, Tally};
pub use self::serve::{ServeError, Server};
pub use self::site::{RenderError, RenderOptions, RenderReport, render};
pub use self::templates::{TemplateError, Templates};
