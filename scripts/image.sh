#!/usr/bin/env bash
# Builds drainer's container image from scratch with this machine's Go: the
# release binary (scripts/release.sh) for linux on this machine's
# architecture and the machine's CA bundle go into the Dockerfile's
# prebuilt stage, so no image registry is needed. With --check it then
# runs `drainer version` in the image and checks the version printed, the
# user (non-root) and the entrypoint.
#
# Usage: scripts/image.sh [--version V] [--tag T] [--check] [--rm]
#   --version V  version stamped in the binary (default: git describe, else devel)
#   --tag T      image name (default drainer:V)
#   --check      run the image's smoke test
#   --rm         remove the image afterwards (CI)
# CONTAINER_TOOL picks the builder: podman (default) or docker.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
version="" tag="" check=false remove=false
while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || usage; version="$2"; shift 2 ;;
    --tag) [ $# -ge 2 ] || usage; tag="$2"; shift 2 ;;
    --check) check=true; shift ;;
    --rm) remove=true; shift ;;
    *) usage ;;
  esac
done
[ -n "$version" ] || version="$(git describe --tags --always --dirty 2>/dev/null || echo devel)"
[ -n "$tag" ] || tag="drainer:$version"
tool="${CONTAINER_TOOL:-podman}"
command -v "$tool" >/dev/null || { echo "image.sh: $tool not found (install podman, or set CONTAINER_TOOL=docker)" >&2; exit 1; }
bundle=/etc/ssl/certs/ca-certificates.crt
[ -s "$bundle" ] || { echo "image.sh: no CA bundle at $bundle (install ca-certificates)" >&2; exit 1; }

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
arch="$(go env GOARCH)"
scripts/release.sh -o "$ctx" "$version" "linux/$arch"
mv "$ctx/drainer_${version}_linux_${arch}" "$ctx/drainer"
rm -f "$ctx/SHA256SUMS"
cp "$bundle" "$ctx/ca-certificates.crt"
"$tool" build --quiet --target prebuilt --platform "linux/$arch" -f Dockerfile -t "$tag" "$ctx" >/dev/null
echo "built image $tag (drainer $version, linux/$arch)"

if $check; then
  # A confined machine (a CI sandbox) may refuse the runtime's default
  # resource limits and cgroups: lower limits always apply, and podman's
  # runc copes with hybrid cgroup hierarchies where crun does not. The
  # smoke test needs no network.
  run=(--rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
  if [ "$tool" = podman ] && command -v runc >/dev/null; then
    run+=(--runtime "$(command -v runc)")
  fi
  got="$("$tool" run "${run[@]}" "$tag" version)"
  [ "$got" = "drainer $version" ] || { echo "image.sh: $tag version printed \"$got\", want \"drainer $version\"" >&2; exit 1; }
  config="$("$tool" image inspect --format '{{.Config.User}} {{json .Config.Entrypoint}}' "$tag")"
  [ "$config" = '65532:65532 ["/drainer"]' ] || { echo "image.sh: $tag runs as and starts \"$config\", want 65532:65532 [\"/drainer\"]" >&2; exit 1; }
  echo "image $tag: ok (prints \"$got\", user 65532, entrypoint /drainer)"
fi
if $remove; then
  "$tool" rmi "$tag" >/dev/null
fi
