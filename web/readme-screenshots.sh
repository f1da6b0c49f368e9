#!/usr/bin/env bash
# web/readme-screenshots.sh -- copies the screenshots the README shows from
# target/web-screenshots/ (written by web/test.sh) to docs/screenshots/, and says their total
# size (keep it to a few hundred kB). Run after web/test.sh when the UI changed.
set -euo pipefail
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
FROM=$REPO/target/web-screenshots
TO=$REPO/docs/screenshots
CHOSEN=(
  verify-changed-result.png  # verify view: a changed file named with both digests
  sign-signers-step.png      # sign view: paired, the daemon's signers (key file, SoftHSM2 token)
  sign-waiting-result.png    # sign view: waiting for approval, with the root digest to compare
  sign-signed-result.png     # sign view: signed, save model.sig and the public key
  element-verified.png       # <model-signature-status>: verified by the hub-listed digests
  element-mismatch.png       # ... a file changed after signing
  element-unsigned.png       # ... no signature in the repository
  element-error.png          # ... the hub has no such repository
)
mkdir -p "$TO"
for f in "${CHOSEN[@]}"; do
  [ -f "$FROM/$f" ] || { echo "missing $FROM/$f: run web/test.sh" >&2; exit 1; }
  cp "$FROM/$f" "$TO/$f"
done
echo "docs/screenshots: $(cd "$TO" && du -cb "${CHOSEN[@]}" | tail -n 1 | cut -f1) bytes in ${#CHOSEN[@]} files"
