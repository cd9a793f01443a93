#!/usr/bin/env bash
# Builds a COCOON guest image with mkosi and writes a manifest of its artefacts' SHA-256 digests.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: tdx/image/build.sh <proxy|worker> --firmware <OVMF.fd> [--debug] [--output <dir>]

Builds the guest image for one role (mkosi >= 25, Debian bookworm, dm-verity root, UKI) into
<dir>/<role>[-debug]/ (default dir: tdx/image/out): cocoon.efi (UKI), cocoon.raw (disk), OVMF.fd
(the TDX firmware given, copied: it determines MRTD) and manifest.json (SHA-256 of each).

  --firmware <file>  TDX-capable OVMF (TDVF) build to ship with the image
  --debug            debug build: adds cocoon_debug to the kernel command line
  --output <dir>     output root
  -h, --help         this text

The image hash also depends on the VM shape and the config folder: see docs/tdx.md.
USAGE
}

die() {
    echo "build.sh: $*" >&2
    exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
role=""
firmware=""
debug=0
output="$here/out"
while (($#)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        proxy | worker) role=$1 ;;
        --firmware) [[ $# -ge 2 ]] || die "--firmware needs a file"; firmware=$2; shift ;;
        --debug) debug=1 ;;
        --output) [[ $# -ge 2 ]] || die "--output needs a directory"; output=$2; shift ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
[[ -n $role ]] || die "role missing: proxy or worker (try --help)"
[[ -n $firmware ]] || die "--firmware is required"
[[ -f $firmware ]] || die "firmware $firmware does not exist"
for key in nodesource.gpg nvidia-cuda.gpg; do
    [[ -f $here/apt/keyrings/$key ]] || die "apt/keyrings/$key is missing (docs/tdx.md, 'Building the image')"
done
command -v mkosi >/dev/null || die "mkosi not found (install mkosi >= 25)"

name=$role
profiles=(--profile "$role")
if ((debug)); then
    name=$role-debug
    profiles+=(--profile debug)
fi
out=$output/$name
mkdir -p "$out"
mkosi --directory "$here" "${profiles[@]}" --output-directory "$out" --force build
cp "$firmware" "$out/OVMF.fd"

{
    printf '{\n  "role": "%s",\n  "debug": %s,\n  "commit": "%s",\n  "sha256": {\n' \
        "$role" "$([[ $debug == 1 ]] && echo true || echo false)" "$(git -C "$here" rev-parse HEAD)"
    sep=""
    for f in OVMF.fd cocoon.efi cocoon.raw; do
        printf '%s    "%s": "%s"' "$sep" "$f" "$(sha256sum "$out/$f" | cut -d' ' -f1)"
        sep=$',\n'
    done
    printf '\n  }\n}\n'
} >"$out/manifest.json"
echo "build.sh: $out (manifest.json lists the artefacts' SHA-256)"
