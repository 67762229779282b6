#!/usr/bin/env bash
# package_deb: builds the .deb packages from this build directory (cpack -G DEB into a temporary
# directory), checks their control fields, unpacks them into a temporary root (dpkg-deb -x) and
# runs the binaries from there: --version, --help, `agentctl config check` on the shipped
# example, stripped binaries, man pages equal to the binaries' --man, postinst creating the
# user in that root (DPKG_ROOT). Then lintian, when
# installed (scripts/deps installs it), must report no error and no warning.
#
#   deb_test.sh BUILD_DIR VERSION        exit 77 (skipped) without dpkg-deb/dpkg-shlibdeps
set -euo pipefail
build=$1
version=$2
for tool in dpkg-deb dpkg-shlibdeps cpack readelf; do
  command -v "$tool" >/dev/null || { echo "package_deb: $tool not installed (scripts/deps); skipped"; exit 77; }
done

tmp=$(mktemp -d /tmp/agentd-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "package_deb: FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack"; }
arch=$(dpkg --print-architecture)
main="$tmp/out/agentd_${version}_${arch}.deb"
sim="$tmp/out/agentd-sim_${version}_${arch}.deb"
[ -f "$main" ] || fail "no $main ($(ls "$tmp/out"))"
[ -f "$sim" ] || fail "no $sim"
[ "$(ls "$tmp/out"/*.deb | wc -l)" -eq 2 ] || fail "expected exactly two packages: $(ls "$tmp/out")"
ls -l "$main" "$sim"

field() { dpkg-deb -f "$1" "$2"; }
for deb in "$main" "$sim"; do
  field "$deb" Depends | grep -q 'libc6 (>=' || fail "$(basename "$deb"): Depends lacks libc6: $(field "$deb" Depends)"
  field "$deb" Maintainer | grep -Eq '^[^<]+ <[^@ ]+@[^> ]+>$' || fail "$(basename "$deb"): Maintainer is not 'Name <address>'"
  [ "$(dpkg-deb -f "$deb" Description | wc -l)" -ge 3 ] || fail "$(basename "$deb"): no extended description"
  echo "$(basename "$deb"): Installed-Size $(field "$deb" Installed-Size) KiB; Depends: $(field "$deb" Depends)"
done
# libpq is loaded at run time (PostgreSQL databases), so no shared-library scan finds it.
field "$main" Depends | grep -q 'libpq5' || fail "$(basename "$main"): Depends lacks libpq5: $(field "$main" Depends)"
# The simulator is not in the daemon's package, and the daemon not in the simulator's.
dpkg-deb -c "$main" | grep -q 'usr/bin/agentd-sim$' && fail "agentd package ships agentd-sim"
dpkg-deb -c "$sim" | grep -Eq 'usr/bin/agent(d|ctl)$' && fail "agentd-sim package ships agentd or agentctl"
dpkg-deb -e "$main" "$tmp/control"
for script in postinst prerm postrm; do
  [ -x "$tmp/control/$script" ] || fail "agentd has no executable $script"
  sh -n "$tmp/control/$script" || fail "$script is not valid sh"
done
grep -q 'systemd-sysusers' "$tmp/control/postinst" || fail "postinst does not create the user"

root="$tmp/root"
dpkg-deb -x "$main" "$root"
dpkg-deb -x "$sim" "$root"
bin="$root/usr/bin"
for b in agentd agentctl agentd-sim; do
  [ -x "$bin/$b" ] || fail "$b not installed in /usr/bin"
  out=$("$bin/$b" --version) || fail "$b --version"
  [ "$out" = "$b $version" ] || fail "$b --version printed '$out', package version is $version"
  "$bin/$b" --help >/dev/null || fail "$b --help"
  # Stripped: neither a symbol table nor DWARF left.
  if readelf -S --wide "$bin/$b" | grep -Eq '\.(symtab|debug_info)'; then fail "$b is not stripped"; fi
done
"$bin/agentctl" config check "$root/usr/share/doc/agentd/examples/agentd.toml.example" >/dev/null ||
  fail "agentctl config check rejects the shipped example"

for page in man8/agentd.8 man8/agentctl.8 man5/agentd.toml.5 man1/agentd-sim.1; do
  f="$root/usr/share/man/$page.gz"
  [ -f "$f" ] || fail "no $page"
  case $page in
    man8/agentd.8) want=$("$bin/agentd" --man) ;;
    man8/agentctl.8) want=$("$bin/agentctl" --man) ;;
    man5/agentd.toml.5) want=$("$bin/agentctl" --man agentd.toml) ;;
    man1/agentd-sim.1) want=$("$bin/agentd-sim" --man) ;;
  esac
  [ "$(zcat "$f")" = "$want" ] || fail "$page differs from what the packaged binary prints"
  if command -v man >/dev/null; then
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" 2>&1 >/dev/null || true)
    [ -z "$warnings" ] || fail "$page: man warns: $warnings"
  fi
done
completion="$root/usr/share/bash-completion/completions/agentctl"
[ -f "$completion" ] || fail "no bash completion"
bash -n "$completion" || fail "completion is not valid bash"
[ "$(cat "$completion")" = "$("$bin/agentctl" --bash-completion)" ] || fail "completion differs from agentctl's"
[ -f "$root/usr/lib/sysusers.d/agentd.conf" ] || fail "no sysusers.d file"
[ -f "$root/usr/lib/systemd/system/agentd.service" ] || fail "no systemd unit"
# postinst as dpkg runs it for an installation into another root (DPKG_ROOT): the user comes
# from the shipped sysusers.d file, and nothing touches the running system's systemd.
if command -v systemd-sysusers >/dev/null; then
  mkdir -p "$root/etc"
  DPKG_ROOT=$root sh "$tmp/control/postinst" configure >/dev/null 2>&1 || fail "postinst configure failed"
  grep -q '^agentd:x:[0-9]*:[0-9]*:.*:/var/lib/agentd:/usr/sbin/nologin$' "$root/etc/passwd" ||
    fail "postinst did not create user agentd: $(cat "$root/etc/passwd" 2>/dev/null)"
  grep -q '^agentd:x:' "$root/etc/group" || fail "postinst did not create group agentd"
fi
for pkg in agentd agentd-sim; do
  [ -f "$root/usr/share/doc/$pkg/copyright" ] || fail "$pkg has no copyright file"
  [ -f "$root/usr/share/doc/$pkg/changelog.gz" ] || fail "$pkg has no changelog"
done

if command -v lintian >/dev/null; then
  if ! lintian --fail-on error,warning --tag-display-limit 0 "$main" "$sim" >"$tmp/lintian.log" 2>&1; then
    cat "$tmp/lintian.log"
    fail "lintian reports errors or warnings"
  fi
  cat "$tmp/lintian.log"
  echo "package_deb: lintian: no errors, no warnings"
else
  echo "package_deb: lintian not installed (scripts/deps installs it); lintian check skipped"
fi
echo "package_deb: ok"
