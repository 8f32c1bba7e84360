#!/usr/bin/env bash
# Publishes the CLI as one Native AOT file, artifacts/aot/walreceiver, and prints its path as the last line.
# Any trim or AOT warning fails the publish: TreatWarningsAsErrors (Directory.Build.props) reaches the ILCompiler as
# --warnaserror; the log is also checked for " warning " lines so a warning that escapes that setting still fails here.
# The ILCompiler links with the platform's C toolchain: it calls `clang` and needs zlib's headers and static library.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian ships clang versioned (clang-14, ...) with `clang` itself in a separate package; any version serves.
find_clang() {
  command -v clang 2>/dev/null && return 0
  ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -n 1
}
ensure_native_toolchain() {
  local missing=()
  [ -n "$(find_clang)" ] || missing+=(clang)
  dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} (Debian packages)..." >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || {
    echo "could not install ${missing[*]}: install them with apt-get and try again" >&2; return 1; }
}

ensure_native_toolchain
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is needed (dotnet on PATH): see https://dot.net" >&2; exit 1; }

# A versioned clang only (clang-14): the ILCompiler looks for `clang`, so offer it one under that name, first on PATH.
tmpbin=$(mktemp -d); log=$(mktemp)
trap 'rm -rf "$tmpbin" "$log"' EXIT
ln -s "$(find_clang)" "$tmpbin/clang"
export PATH="$tmpbin:$PATH"

out=artifacts/aot
rm -rf "$out"
set +e
dotnet publish src/WalReceiver.Cli -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true -o "$out" 2>&1 | tee "$log" >&2
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then echo "publish failed" >&2; exit "$rc"; fi
if grep -E ' warning [A-Z]+[0-9]+' "$log" >/dev/null; then echo "publish gave warnings: they count as errors" >&2; exit 1; fi
[ -x "$out/walreceiver" ] || { echo "no $out/walreceiver after the publish" >&2; exit 1; }
echo "$(pwd)/$out/walreceiver"
