#!/usr/bin/env bash
# Refresh the vendored Cytoscape.js build (the spread map's renderer) from the npm package.
# Usage: scripts/vendor_cytoscape.sh [VERSION]   (default: the version in the VERSION file)
# Ships the minified ES module build only, renamed .js so every web server sends it as JavaScript.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/tracker/static/vendor/cytoscape"
version=${1:-$(cat "$dest/VERSION")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "cytoscape@$version" >/dev/null && tar xzf cytoscape-*.tgz)
package="$work/package"
actual=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$package/package.json" | head -n 1)
if [ "$actual" != "$version" ]; then
  echo "asked for cytoscape $version, the package says $actual" >&2
  exit 1
fi
rm -rf "$dest"
mkdir -p "$dest"
cp "$package/dist/cytoscape.esm.min.mjs" "$dest/cytoscape.esm.min.js"
# The build may reference a source map; we do not ship one.
sed -i 's#//\# sourceMappingURL=.*$##' "$dest/cytoscape.esm.min.js"
echo "$version" > "$dest/VERSION"
{
  echo "cytoscape $version, from the npm package \"cytoscape\" (dist/cytoscape.esm.min.mjs)."
  echo "Released under the MIT Licence; the package's LICENSE file follows."
  echo
  cat "$package/LICENSE"
} > "$dest/LICENCE"
echo "cytoscape $version vendored into $dest"
