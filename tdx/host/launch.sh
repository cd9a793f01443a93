#!/usr/bin/env bash
# Launches a COCOON guest as an Intel TDX VM with QEMU (>= 10.1, upstream TDX support), optionally with an NVIDIA
# GPU passed through with VFIO. Validates every argument before QEMU starts; --dry-run prints the command instead.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: tdx/host/launch.sh --role <proxy|worker> --image-dir <dir> --config <dir> [options]

Required:
  --role <proxy|worker>     guest role (must match the image)
  --image-dir <dir>         output of tdx/image/build.sh: OVMF.fd, cocoon.efi, cocoon.raw
  --config <dir>            config folder, shared read-only; the guest measures it into RTMR3
Worker:
  --gpu <BDF>               GPU to pass through, e.g. 0000:17:00.0 (bound to vfio-pci, CC mode on); required
  --model <dir>             model disk: model.img (data) and model.verity (dm-verity hash tree)
VM shape (changes RTMR0, so the image hash: keep it identical to the measured reference boot):
  --cpus <n>                virtual CPUs (default 16)
  --memory <size>           memory, e.g. 64G or 16384M (default 64G)
Host plumbing:
  --cid <n>                 vsock guest CID, >= 3 (default 6 for workers, 7 for proxies)
  --forward [addr:]<host>:<guest>
                            TCP port forward, repeatable; addr defaults to 127.0.0.1 (0.0.0.0 to publish)
  --qemu <path>             QEMU binary (default qemu-system-x86_64)
  --dry-run                 print the QEMU command line and exit without checking the host
  -h, --help                this text

Exit status: 0 ok (or QEMU's own), 1 host not ready (no TDX, GPU not on vfio-pci), 2 bad arguments.
USAGE
}

die_usage() {
    echo "launch.sh: $*" >&2
    exit 2
}
die_host() {
    echo "launch.sh: $*" >&2
    exit 1
}

role="" image_dir="" config="" gpu="" model="" cpus=16 memory=64G cid="" qemu=qemu-system-x86_64 dry_run=0
forwards=()
need_value() { [[ $# -ge 2 && -n $2 && $2 != --* ]] || die_usage "$1 needs a value"; }
while (($#)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --role) need_value "$@"; role=$2; shift ;;
        --image-dir) need_value "$@"; image_dir=$2; shift ;;
        --config) need_value "$@"; config=$2; shift ;;
        --gpu) need_value "$@"; gpu=$2; shift ;;
        --model) need_value "$@"; model=$2; shift ;;
        --cpus) need_value "$@"; cpus=$2; shift ;;
        --memory) need_value "$@"; memory=$2; shift ;;
        --cid) need_value "$@"; cid=$2; shift ;;
        --forward) need_value "$@"; forwards+=("$2"); shift ;;
        --qemu) need_value "$@"; qemu=$2; shift ;;
        --dry-run) dry_run=1 ;;
        *) die_usage "unknown argument '$1' (try --help)" ;;
    esac
    shift
done

case $role in
    proxy) cid=${cid:-7} ;;
    worker) cid=${cid:-6} ;;
    "") die_usage "--role is required (proxy or worker)" ;;
    *) die_usage "--role must be proxy or worker, not '$role'" ;;
esac
[[ -n $image_dir ]] || die_usage "--image-dir is required"
for f in OVMF.fd cocoon.efi cocoon.raw; do
    [[ -f $image_dir/$f ]] || die_usage "$image_dir/$f is missing (build the image with tdx/image/build.sh)"
done
[[ -n $config ]] || die_usage "--config is required"
# QEMU splits option values at commas.
for path in "$image_dir" "$config" "$model"; do
    [[ $path != *,* ]] || die_usage "path '$path' contains a comma, which QEMU options cannot carry"
done
[[ -d $config ]] || die_usage "config folder $config does not exist"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die_usage "--cpus must be a positive integer, not '$cpus'"
[[ $memory =~ ^[1-9][0-9]*[MG]$ ]] || die_usage "--memory must look like 64G or 16384M, not '$memory'"
[[ $cid =~ ^[0-9]+$ ]] && ((cid >= 3 && cid < 4294967295)) || die_usage "--cid must be an integer >= 3, not '$cid'"
if [[ $role == worker ]]; then
    [[ -n $gpu ]] || die_usage "a worker needs --gpu <BDF>"
    [[ $gpu =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]] || die_usage "--gpu must be a PCI address like 0000:17:00.0, not '$gpu'"
    if [[ -n $model ]]; then
        for f in model.img model.verity; do
            [[ -f $model/$f ]] || die_usage "$model/$f is missing"
        done
    fi
else
    [[ -z $gpu ]] || die_usage "--gpu is for workers only"
    [[ -z $model ]] || die_usage "--model is for workers only"
fi
hostfwd=""
for fwd in "${forwards[@]}"; do
    [[ $fwd =~ ^(([0-9]{1,3}\.){3}[0-9]{1,3}:)?([0-9]+):([0-9]+)$ ]] || die_usage "--forward must be [addr:]host:guest, not '$fwd'"
    addr=${BASH_REMATCH[1]%:}
    host_port=${BASH_REMATCH[3]} guest_port=${BASH_REMATCH[4]}
    for p in "$host_port" "$guest_port"; do
        ((p >= 1 && p <= 65535)) || die_usage "port $p in --forward $fwd is out of range 1..65535"
    done
    hostfwd+=",hostfwd=tcp:${addr:-127.0.0.1}:$host_port-:$guest_port"
done

cmd=(
    "$qemu"
    -name "cocoon-$role,process=cocoon-$role"
    -accel kvm
    -machine q35,kernel-irqchip=split,confidential-guest-support=tdx0,hpet=off
    -object '{"qom-type":"tdx-guest","id":"tdx0","quote-generation-socket":{"type":"vsock","cid":"2","port":"4050"}}'
    -cpu host
    -smp "$cpus"
    -m "$memory"
    -bios "$image_dir/OVMF.fd"
    -kernel "$image_dir/cocoon.efi"
    -nographic -nodefaults -serial stdio
    -drive "file=$image_dir/cocoon.raw,if=none,id=root,format=raw,readonly=on"
    -device virtio-blk-pci,drive=root,serial=root
    -fsdev "local,id=spec,path=$config,security_model=none,readonly=on"
    -device virtio-9p-pci,fsdev=spec,mount_tag=spec
    -device "vhost-vsock-pci,guest-cid=$cid"
    -netdev "user,id=net0$hostfwd"
    -device virtio-net-pci,netdev=net0
)
if [[ -n $gpu ]]; then
    # Hopper GPUs have large BARs: give OVMF a 256 GiB 64-bit MMIO window.
    cmd+=(
        -object iommufd,id=iommufd0
        -device pcie-root-port,id=gpu-port,bus=pcie.0,chassis=1
        -device "vfio-pci,host=$gpu,bus=gpu-port,iommufd=iommufd0"
        -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=262144
    )
fi
if [[ -n $model ]]; then
    cmd+=(
        -drive "file=$model/model.img,if=none,id=model,format=raw,readonly=on"
        -device virtio-blk-pci,drive=model,serial=model
        -drive "file=$model/model.verity,if=none,id=model-verity,format=raw,readonly=on"
        -device virtio-blk-pci,drive=model-verity,serial=model-verity
    )
fi

# Shell-quotes a word only when it needs it, so the dry-run output reads like the command one would type.
quote() {
    if [[ $1 =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

if ((dry_run)); then
    line=$(quote "${cmd[0]}")
    for word in "${cmd[@]:1}"; do line+=" $(quote "$word")"; done
    printf '%s\n' "$line"
    exit 0
fi

[[ -c /dev/kvm ]] || die_host "/dev/kvm is missing: KVM is not available on this host"
[[ $(cat /sys/module/kvm_intel/parameters/tdx 2>/dev/null) == Y ]] || die_host "TDX is not enabled in kvm_intel (kvm_intel.tdx=1, BIOS TDX settings: docs/tdx.md)"
if [[ -n $gpu ]]; then
    [[ -e /sys/bus/pci/devices/$gpu ]] || die_host "no PCI device $gpu on this host"
    driver=$(basename "$(readlink -f "/sys/bus/pci/devices/$gpu/driver" 2>/dev/null || echo none)")
    [[ $driver == vfio-pci ]] || die_host "GPU $gpu is bound to '$driver', not vfio-pci (docs/tdx.md, 'GPU')"
fi
command -v "$qemu" >/dev/null || die_host "$qemu not found"
exec "${cmd[@]}"
