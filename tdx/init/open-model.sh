#!/usr/bin/env bash
# Opens the read-only model disk with dm-verity and mounts it at /models. The root hash is read from the measured
# config (model.verity_hash), so serving different weights means a different spec-tree hash and image hash.
set -euo pipefail

SPEC_DIR=${COCOON_SPEC_DIR:-/run/cocoon/spec}
DATA_DEV=${COCOON_MODEL_DEV:-/dev/disk/by-id/virtio-model}
HASH_DEV=${COCOON_MODEL_HASH_DEV:-/dev/disk/by-id/virtio-model-verity}
MOUNT_POINT=${COCOON_MODEL_DIR:-/models}

die() {
    echo "open-model: $*" >&2
    exit 1
}

[[ -r $SPEC_DIR/model.verity_hash ]] || die "$SPEC_DIR/model.verity_hash is missing: the config does not pin a model"
root_hash=$(tr -d '[:space:]' <"$SPEC_DIR/model.verity_hash")
[[ $root_hash =~ ^[0-9a-f]{64}$ ]] || die "model.verity_hash must be 64 lowercase hex digits, got '$root_hash'"
[[ -b $DATA_DEV ]] || die "model disk $DATA_DEV is missing (launch.sh --model)"
[[ -b $HASH_DEV ]] || die "model verity disk $HASH_DEV is missing (launch.sh --model)"

veritysetup open --panic-on-corruption "$DATA_DEV" model "$HASH_DEV" "$root_hash"
mkdir -p "$MOUNT_POINT"
mount -o ro,nodev,nosuid,noexec /dev/mapper/model "$MOUNT_POINT"
echo "open-model: /models mounted, verity root hash $root_hash"
