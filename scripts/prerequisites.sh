#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian machine: PostgreSQL's server binaries.
# Sourced by scripts/test.sh and scripts/demo.sh; does nothing when they are already there.
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
  command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is needed (dotnet on PATH): see https://dot.net" >&2; return 1; }
}
