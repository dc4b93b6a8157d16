#!/usr/bin/env bash
# Installs the Debian packages graph-runner needs. Idempotent: when everything is
# present it only checks (a fraction of a second) and installs nothing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libtbb-dev libboost-dev libtomlplusplus-dev catch2 libcli11-dev
  libspdlog-dev libfmt-dev libsimdjson-dev nlohmann-json3-dev graphviz
  libcpp-httplib-dev  # run --metrics-listen (a compiled library with a pkg-config file)
  libssl-dev          # http_server: TLS (cert_file/key_file)
  libcurl4-openssl-dev zlib1g-dev  # the http plugins' client (TLS via OpenSSL); gzip bodies
  openssl             # tests/cli: a self-signed certificate for the https tests
  python3             # tests/cli: the /metrics scrape and log-line checks
  dpkg-dev file       # make package: CPack's DEB generator runs dpkg-shlibdeps and file
  groff-base          # tests/cli: the man page is checked with groff
  libhiredis-dev      # plugins/redis_stream (hiredis 0.14)
  libre2-dev          # the record language: regular expressions in linear time (RE2)
  redis-server        # tests/cli/redis: each test starts its own server on loopback
)
# `tools/setup.sh fuzz` (make fuzz) also installs clang and libFuzzer.
if [ "${1:-}" = fuzz ]; then packages+=(clang libclang-rt-14-dev); fi
# `tools/setup.sh test` (make test) also installs headless Chromium and its WebDriver for the
# live page's browser test (tests/cli/live_page_browser.py; ~100 MB, so not for `make run`),
# and libabigail's abidw and abidiff for the ABI check of the SDK library (tools/abi_check.sh).
if [ "${1:-}" = test ]; then packages+=(chromium chromium-driver abigail-tools); fi
# `tools/setup.sh bench` (make bench) also installs Go (the Go baselines), Python and time.
if [ "${1:-}" = bench ]; then packages+=(golang-go python3 time); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
