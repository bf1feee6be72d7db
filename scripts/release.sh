#!/usr/bin/env bash
# Builds drainer's release binaries: static (CGO_ENABLED=0), with no local
# paths in them (-trimpath), stripped (-s -w), the version stamped
# (-X main.buildVersion, what `drainer version` prints).
#
# Usage: scripts/release.sh [-o DIR] VERSION [OS/ARCH...]
#
# Writes DIR/drainer_VERSION_OS_ARCH for each target (default linux/amd64,
# linux/arm64, darwin/amd64, darwin/arm64; DIR default dist) and
# DIR/SHA256SUMS. Needs Go 1.26 (go.mod).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
out=dist
while [ $# -gt 0 ]; do
  case "$1" in
    -o) [ $# -ge 2 ] || usage; out="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "release.sh: unknown flag $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
version="$1"; shift
# The version goes into -ldflags: no spaces or quotes.
if ! [[ "$version" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]]; then
  echo "release.sh: version $version: want letters, digits, '.', '_', '+' and '-' only, e.g. v1.2.3" >&2
  exit 2
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)

mkdir -p "$out"
files=()
for t in "${targets[@]}"; do
  os="${t%/*}" arch="${t#*/}"
  if [ -z "$os" ] || [ -z "$arch" ] || [ "$os" = "$t" ]; then
    echo "release.sh: target $t: want OS/ARCH, e.g. linux/amd64" >&2
    exit 2
  fi
  f="drainer_${version}_${os}_${arch}"
  echo "building $out/$f" >&2
  CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" go build -trimpath \
    -ldflags "-s -w -X main.buildVersion=$version" -o "$out/$f" ./cmd/drainer
  files+=("$f")
done
(cd "$out" && sha256sum "${files[@]}" > SHA256SUMS)
echo "$out/SHA256SUMS" >&2
