#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian machine: PostgreSQL's server binaries, and for the tests
# the compression commands. Sourced by scripts/test.sh and scripts/demo.sh; does nothing when they are already there.
pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
ensure_postgres() {
  local bin; bin=$(pg_bindir)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "installing PostgreSQL (Debian packages)..." >&2
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-contrib >&2 || {
      echo "could not install PostgreSQL: install the server packages (apt-get install postgresql) and try again" >&2; return 1; }
    bin=$(pg_bindir)
  fi
  export PATH="$bin:$PATH"
  ensure_message_locale
  command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is needed (dotnet on PATH): see https://dot.net" >&2; return 1; }
}
# The tests that prove errors are classified by SQLSTATE, not by wording, make the server speak German: that needs the
# de_DE.UTF-8 locale (Debian's PostgreSQL ships the translations). Generated once, from the locales package.
ensure_message_locale() {
  locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && return 0
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  if [ ! -d /usr/share/i18n/locales ] || [ ! -f /usr/share/i18n/locales/de_DE ]; then
    $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq locales >&2 || true
  fi
  $sudo localedef -i de_DE -f UTF-8 de_DE.UTF-8 >&2 || echo "could not generate the de_DE.UTF-8 locale: the localized-error tests will fail under CI" >&2
}
# The compression tests check what `-Z gzip|lz4|zstd` writes with the standard tools (gzip --test, lz4 -t, zstd -t),
# one verify test reads an archive the zstd tool made, and the manifest is checked with sha256sum (coreutils).
# Debian's minimal images lack lz4 and zstd.
ensure_compression_tools() {
  local missing=() tool
  for tool in gzip lz4 zstd sha256sum; do
    command -v "$tool" >/dev/null 2>&1 && continue
    case $tool in sha256sum) missing+=(coreutils) ;; *) missing+=("$tool") ;; esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} (Debian packages)..." >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || {
    echo "could not install ${missing[*]}: install them with apt-get and try again" >&2; return 1; }
}

# Node.js and npm run the S3-compatible test server (s3rver, which the object-storage tests install from the npm
# registry into ~/.cache/walreceiver-tests).
ensure_node() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} (Debian packages)..." >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || {
    echo "could not install ${missing[*]}: install them with apt-get and try again" >&2; return 1; }
}
