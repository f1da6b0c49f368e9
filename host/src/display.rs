//! How errors show file names: a model's names come from whoever made the model, so
//! they are printed escaped ([`printable`]) and can never forge a line of output.

use std::path::Path;

use model_signing_core::encoding::printable;

/// `path` as an error message shows it: lossy UTF-8, control characters escaped.
pub(crate) fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown(Path::new("m/a.bin")), "m/a.bin");
        assert_eq!(
            shown(Path::new("m/x\nVerification succeeded")),
            "m/x\\u{a}Verification succeeded"
        );
    }
}
