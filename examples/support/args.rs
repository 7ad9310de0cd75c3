//! The story examples' command line: `[--lang en|zh] [output-dir]`.

use std::ffi::OsString;
use std::path::PathBuf;

use grassroots::i18n::Lang;

/// What the command line asked for.
#[derive(Debug, PartialEq)]
pub struct Args {
    /// The language of the story (`--lang`, English by default).
    pub lang: Lang,
    /// Where the files go (the histories, the diagrams), when given.
    pub dir: Option<PathBuf>,
    /// `-h` or `--help`: print [`usage`] and stop.
    pub help: bool,
}

/// The one-line usage of `example`.
pub fn usage(example: &str) -> String {
    format!("usage: {example} [--lang en|zh] [output-dir]")
}

/// Parses `[--lang en|zh] [output-dir]` (the arguments after the program's
/// name). An unknown option, a missing or unknown language, or a second
/// directory is an error naming it, with the usage.
pub fn parse(example: &str, args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    let mut parsed = Args {
        lang: Lang::En,
        dir: None,
        help: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy().into_owned();
        if text == "--lang" {
            let value = args
                .next()
                .ok_or_else(|| format!("--lang needs en or zh; {}", usage(example)))?;
            parsed.lang = value
                .to_string_lossy()
                .parse()
                .map_err(|e| format!("{e}; {}", usage(example)))?;
        } else if text == "-h" || text == "--help" {
            parsed.help = true;
        } else if text.starts_with('-') {
            return Err(format!("unknown option {text}; {}", usage(example)));
        } else if parsed.dir.is_none() {
            parsed.dir = Some(PathBuf::from(arg));
        } else {
            return Err(format!(
                "one output directory only, not also {text}; {}",
                usage(example)
            ));
        }
    }
    Ok(parsed)
}
