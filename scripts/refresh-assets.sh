#!/usr/bin/env bash
# Rebuilds the self-hosted GraphiQL and GraphQL Playground assets that the server embeds:
# `npm ci` of the pinned packages in assets/build (package-lock.json, no install scripts),
# then assets/build/build.mjs (esbuild, production), which replaces assets/dist and writes
# assets/SHA256SUMS and assets/VERSIONS. Deterministic: with nothing changed, git stays clean.
#
# Needs Node >= 20 with npm, and gzip. To move to newer versions: change them in
# assets/build/package.json (and the Playground tarball's integrity there, from
# `npm view graphql-playground-react@<version> dist.integrity`), run `npm install` in
# assets/build to update package-lock.json, then this script, then check both pages.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/assets/build"

npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node build.mjs

cd "$root/assets/dist"
sha256sum --check --quiet ../SHA256SUMS
echo "assets/dist: $(ls | wc -l) files, $(du -sh --apparent-size . | cut -f1); checksums in assets/SHA256SUMS"
