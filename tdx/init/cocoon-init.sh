#!/usr/bin/env bash
# COCOON guest init (run once at boot by cocoon-init.service):
#   1. copy the host-provided config folder into guest memory and compute its spec-tree hash (of the copy, so a
#      host that edits the shared folder afterwards changes nothing that runs);
#   2. extend RTMR3 with SHA-384 of "cocoon:spec.tree=<hash>", then "cocoon:cocoon_debug" if the kernel command
#      line has cocoon_debug, then "cocoon:tdx_inited";
#   3. generate the RA-TLS certificate (its quote carries the final RTMR3);
#   4. start the role's target (cocoon-proxy.target or cocoon-worker.target).
# Every path can be overridden through the environment, which is how the tests run it outside a TD.
set -euo pipefail

SPEC_SOURCE=${COCOON_SPEC_SOURCE:-/mnt/spec}
SPEC_DIR=${COCOON_SPEC_DIR:-/run/cocoon/spec}
RTMR3_NODE=${COCOON_RTMR3_NODE:-/sys/class/misc/tdx_guest/measurements/rtmr3:sha384}
MEASURE_LOG=${COCOON_MEASURE_LOG:-/var/log/tdx-attestation.log}
KERNEL_CMDLINE=${COCOON_KERNEL_CMDLINE:-/proc/cmdline}
ROLE_FILE=${COCOON_ROLE_FILE:-/usr/lib/cocoon/role}
STATE_DIR=${COCOON_STATE_DIR:-/run/cocoon}
COCOON=${COCOON_BIN:-/opt/cocoon/bin/cocoon.js}
SYSTEMCTL=${COCOON_SYSTEMCTL:-systemctl}
SERVICE_USER=${COCOON_SERVICE_USER:-cocoon}

die() {
    echo "cocoon-init: $*" >&2
    exit 1
}

# Extends RTMR3 with SHA-384(line): the kernel node takes exactly one 48-byte digest per write.
extend_rtmr3() {
    local line=$1 hex
    hex=$(printf '%s' "$line" | sha384sum | cut -d' ' -f1)
    [[ $hex =~ ^[0-9a-f]{96}$ ]] || die "sha384sum printed '$hex'"
    printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")" | dd of="$RTMR3_NODE" bs=48 count=1 iflag=fullblock status=none \
        || die "cannot extend RTMR3 through $RTMR3_NODE"
    printf 'rtmr3 %s %s\n' "$hex" "$line" >>"$MEASURE_LOG"
}

# RTMR3 can only be extended, never reset: a second run would leave a value no registry entry matches.
if [[ -e $STATE_DIR/inited ]]; then die "already initialised ($STATE_DIR/inited exists); reboot to re-measure"; fi
[[ -d $SPEC_SOURCE ]] || die "config folder $SPEC_SOURCE is missing (is the 'spec' 9p share attached?)"
[[ -w $RTMR3_NODE ]] || die "$RTMR3_NODE is not writable: not a TDX guest, or the kernel lacks RTMR extension (needs Linux >= 6.16)"

role=$(<"$ROLE_FILE")
case $role in
    proxy | worker) ;;
    *) die "unknown role '$role' in $ROLE_FILE (expected proxy or worker)" ;;
esac

debug=0
read -r -a cmdline <"$KERNEL_CMDLINE" || true # the last line may lack a newline
for word in "${cmdline[@]}"; do
    if [[ $word == cocoon_debug ]]; then debug=1; fi
done

mkdir -p "$STATE_DIR" "$(dirname "$MEASURE_LOG")"
spec_hash=$(node "$COCOON" attest spec-hash "$SPEC_SOURCE" --copy-to "$SPEC_DIR")
[[ $spec_hash =~ ^[0-9a-f]{64}$ ]] || die "spec-hash printed '$spec_hash'"

extend_rtmr3 "cocoon:spec.tree=$spec_hash"
if ((debug)); then
    extend_rtmr3 "cocoon:cocoon_debug"
fi
extend_rtmr3 "cocoon:tdx_inited"
touch "$STATE_DIR/inited"

mkdir -p "$STATE_DIR/tls"
node "$COCOON" attest gen-cert --provider tdx --out "$STATE_DIR/tls/node"
# Quotes need root (configfs-tsm); the services that present the certificate run as the service user.
if getent passwd "$SERVICE_USER" >/dev/null; then chown -R "$SERVICE_USER:" "$STATE_DIR/tls"; fi

cat >"$STATE_DIR/system.vars" <<VARS
COCOON_ROLE=$role
SPEC_TREE_HASH=$spec_hash
IS_DEBUG=$debug
SPEC_DIR=$SPEC_DIR
CERT_BASE=$STATE_DIR/tls/node
VARS

"$SYSTEMCTL" start --no-block "cocoon-$role.target"
echo "cocoon-init: role $role, spec tree $spec_hash, debug $debug: RTMR3 measured, certificate written, cocoon-$role.target started"
