#!/usr/bin/env bash
# Builds the switchyard binary for each platform in SWITCHYARD_PLATFORMS
# (default: linux-x64) into bin/<platform>-<arch>/, bundles the extension
# and packages both as a .vsix with vsce.
#
#   scripts/package.sh [out.vsix]
#   SWITCHYARD_PLATFORMS="linux-x64 linux-arm64 darwin-arm64 win32-x64" scripts/package.sh
#
# The binary is pure Go (CGO_ENABLED=0), so every platform cross-builds
# from any machine with Go. SWITCHYARD_BIN=path ships that binary as
# linux-x64 instead of building one (for a binary built earlier).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
version=$(node -p "require('$here/package.json').version")
out=${1:-$here/switchyard-$version.vsix}

rm -rf "$here/bin"
for p in ${SWITCHYARD_PLATFORMS:-linux-x64}; do
  case $p in
    linux-x64) goos=linux goarch=amd64 ;;
    linux-arm64) goos=linux goarch=arm64 ;;
    darwin-x64) goos=darwin goarch=amd64 ;;
    darwin-arm64) goos=darwin goarch=arm64 ;;
    win32-x64) goos=windows goarch=amd64 ;;
    win32-arm64) goos=windows goarch=arm64 ;;
    *) echo "package.sh: unknown platform $p (use linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64)" >&2; exit 2 ;;
  esac
  exe=switchyard
  [ "$goos" = windows ] && exe=switchyard.exe
  mkdir -p "$here/bin/$p"
  if [ -n "${SWITCHYARD_BIN:-}" ] && [ "$p" = linux-x64 ]; then
    install -m 0755 "$SWITCHYARD_BIN" "$here/bin/$p/$exe"
    continue
  fi
  echo "building $p"
  (cd "$repo" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
    -ldflags "-s -w -X main.version=v$version" -o "$here/bin/$p/$exe" ./cmd/switchyard)
done

cd "$here"
node scripts/gen-settings.mjs --check
node scripts/bundle.mjs --minify
npx --no-install vsce package --no-dependencies --skip-license --allow-missing-repository --out "$out"
echo "$out"
