#!/usr/bin/env bash
# The Debian package (issue 24): built with CPack from the release build, lintian reports no
# error, installed by dpkg into a throwaway root (its maintainer scripts run against that root)
# with the expected contents, and the systemd unit it installs passes `systemd-analyze verify`
# and is rated at most 2.0 by `systemd-analyze security`.
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
build="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/passerelle_*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# lintian: every tag shown; an error fails the test.
lintian --fail-on error --tag-display-limit 0 "$deb" | tee "$work/lintian.txt" || fail "lintian reports errors"
if grep -q '^E:' "$work/lintian.txt"; then fail "lintian errors"; fi

# A throwaway root with an empty dpkg database and a minimal user database.
root="$work/root"
mkdir -p "$root"/var/lib/dpkg/{info,updates,triggers} "$root"/etc "$root"/usr/sbin
: >"$root/var/lib/dpkg/status"
echo 'root:x:0:0:root:/root:/bin/bash' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$root/etc/shadow"
echo 'root:*::' >"$root/etc/gshadow"
chmod 640 "$root/etc/shadow" "$root/etc/gshadow"
dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null -i "$deb" \
  >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }

# Contents.
for f in usr/bin/passerelle usr/share/man/man1/passerelle.1.gz lib/systemd/system/passerelle.service \
  etc/passerelle/passerelle.json usr/share/doc/passerelle/copyright \
  usr/share/doc/passerelle/changelog.gz usr/share/doc/passerelle/operations.md; do
  [ -e "$root/$f" ] || fail "/$f is not installed"
done
[ -x "$root/usr/bin/passerelle" ] || fail "/usr/bin/passerelle is not executable"
"$root/usr/bin/passerelle" --help | grep -q "serve" || fail "the installed program does not run"
if ldd "$root/usr/bin/passerelle" | grep -q "not found"; then fail "a library is missing"; fi
zcat "$root/usr/share/man/man1/passerelle.1.gz" | grep -q '^\.TH PASSERELLE 1' ||
  fail "the manual page is not passerelle(1)"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$root/etc/passerelle/passerelle.json" ||
  fail "the example configuration is not JSON"
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Conffiles}\n' passerelle |
  grep -q '/etc/passerelle/passerelle.json' || fail "the configuration is not a conffile"

# What the maintainer scripts made: a system user with no shell, its state directory, the
# configuration readable by its group only.
entry=$(grep '^passerelle:' "$root/etc/passwd") || fail "no passerelle user"
uid=$(cut -d: -f3 <<<"$entry")
[ "$uid" -lt 1000 ] || fail "passerelle is not a system user (uid $uid)"
[ "$(cut -d: -f7 <<<"$entry")" = /usr/sbin/nologin ] || fail "passerelle has a login shell"
[ "$(cut -d: -f6 <<<"$entry")" = /var/lib/passerelle ] || fail "its home is not /var/lib/passerelle"
grep -q '^passerelle:' "$root/etc/group" || fail "no passerelle group"
[ "$(stat -c '%a %u' "$root/var/lib/passerelle")" = "700 $uid" ] ||
  fail "/var/lib/passerelle is $(stat -c '%a %u' "$root/var/lib/passerelle"), not 700 owned by $uid"
[ "$(stat -c '%a' "$root/etc/passerelle/passerelle.json")" = 640 ] ||
  fail "the configuration is readable by others"

# The unit, in the package's root (the host's targets copied in, which it refers to).
mkdir -p "$root/bin"
cp /bin/kill "$root/bin/"
cp /lib/systemd/system/*.target "$root/lib/systemd/system/"
systemd-analyze verify --root="$root" --man=no passerelle.service ||
  fail "systemd-analyze verify"
security=$(systemd-analyze security --offline=true --root="$root" --no-pager passerelle.service)
level=$(sed -n 's/.*Overall exposure level for passerelle.service: \([0-9.]*\).*/\1/p' <<<"$security")
echo "systemd-analyze security: exposure $level"
[ -n "$level" ] || fail "no exposure level: $security"
awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || fail "exposure $level is above 2.0"

echo "OK: package built, lintian clean of errors, installed, unit verified (exposure $level)"
