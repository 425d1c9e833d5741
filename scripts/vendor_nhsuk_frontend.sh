#!/usr/bin/env bash
# Refresh the vendored NHS.UK frontend build from the npm package.
# Usage: scripts/vendor_nhsuk_frontend.sh [VERSION]   (default: the version in VERSION file)
#
# The package's built stylesheet is post-processed (rebuilding it from Sass would need the
# upstream build chain: sass, autoprefixer, cssnano), so that no page asks for anything outside the app:
# - it asks for icons at /assets/images/ (the Sass setting $nhsuk-images-path); they are pointed at
#   the copies beside it, relative to the stylesheet, wherever the app serves its static files;
# - its @font-face rules load the Frutiger typeface from the NHS's font host. Frutiger is licensed
#   to NHS England, not ours to serve, so the rules are left out (as $nhsuk-include-font-face:
#   false would) and the text uses the design system's fallback stack ($nhsuk-font-fallback:
#   arial, sans-serif). The script refuses a build in which any of this is still there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/tracker/static/vendor/nhsuk-frontend"
version=${1:-$(cat "$dest/VERSION")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "nhsuk-frontend@$version" >/dev/null && tar xzf nhsuk-frontend-*.tgz)
dist="$work/package/dist/nhsuk"
rm -rf "$dest"
mkdir -p "$dest/assets"
cp "$dist/nhsuk-frontend.min.css" "$dist/nhsuk-frontend.min.js" "$dest/"
cp -r "$dist/assets/images" "$dest/assets/"
# The build references its source maps; we do not ship them.
sed -i 's#//\# sourceMappingURL=.*$##' "$dest/nhsuk-frontend.min.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$dest/nhsuk-frontend.min.css"
css="$dest/nhsuk-frontend.min.css"
sed -i 's#url(/assets/images/#url(assets/images/#g' "$css"
sed -i -E 's#@font-face\{font-family:"?Frutiger W01"?;[^}]*\}##g; s#"?Frutiger W01"?,##g' "$css"
if grep -Eo 'url\(["'"'"']?(https?:|//|/)[^)]*\)|Frutiger' "$css"; then
  echo "nhsuk-frontend $version: the stylesheet still asks for the above; update this script" >&2
  exit 1
fi
echo "$version" > "$dest/VERSION"
cat > "$dest/LICENCE" <<LIC
nhsuk-frontend $version, from the npm package "nhsuk-frontend".
The code is released under the MIT Licence (below). The NHS logo and brand are
Crown copyright / NHS England and used under the NHS identity guidelines.

$(sed -n '/^## Licence/,$p' "$work/package/README.md")

MIT License

Copyright (c) NHS England (formerly NHS Digital), the nhsuk-frontend authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LIC
echo "nhsuk-frontend $version vendored into $dest"
