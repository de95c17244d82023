#!/usr/bin/env bash
# Installs the Debian 12 packages MicroOVN needs to build, test and benchmark.
# Idempotent: prints nothing and changes nothing when every package is already there.
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  # libraries
  librocksdb-dev libboost-dev libssl-dev libflatbuffers-dev flatbuffers-compiler
  libspdlog-dev libcli11-dev nlohmann-json3-dev
  # fuzz targets (tests/fuzz): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev bats bats-assert bats-support curl jq
  python3 openssl xxd
  # tools used by scripts and tests
  iproute2 procps
  # OVN and OVS, which microovnd runs and supervises (tests/system)
  ovn-central ovn-host openvswitch-switch
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The OVN/OVS packages would start their own daemons (in /var/run, on the host's network):
# microovnd runs its own, so package scripts may start no service during the install.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 0755 /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
