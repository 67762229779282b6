#!/usr/bin/env bash
# The shipped unit must carry the hardening the security docs promise, pass
# `systemd-analyze verify` and rate at or below 1.5 on `systemd-analyze security --offline=true`.
# The unit is checked as installed, with ExecStart pointing at the built binary (verify checks
# that the binary exists).
set -euo pipefail
unit=$1
binary=$2

# Directives the documentation relies on, checked before anything needs systemd-analyze.
missing=0
for line in StateDirectoryMode=0700 RuntimeDirectoryMode=0750 UMask=0077 LimitCORE=0 PrivateMounts=yes \
            NoNewPrivileges=yes CapabilityBoundingSet= ProtectProc=invisible; do
  grep -qx "$line" "$unit" || { echo "unit lacks $line" >&2; missing=1; }
done
for key in MemoryHigh MemoryMax TasksMax; do
  grep -Eq "^$key=[0-9]+[KMG]?$" "$unit" || { echo "unit lacks a numeric $key=" >&2; missing=1; }
done
[ "$missing" = 0 ] || exit 1
echo "directives: present"

if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not installed; skipping" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|^ExecStart=/usr/bin/agentd|ExecStart=$binary|" "$unit" > "$work/agentd.service"

out=$(systemd-analyze verify "$work/agentd.service" 2>&1 || true)
# Messages about the host itself (no systemd running in a container, missing units of the
# host) are not about this file; anything naming agentd.service is.
problems=$(printf '%s\n' "$out" | grep -i 'agentd.service' || true)
if [ -n "$problems" ]; then
  echo "systemd-analyze verify reported:" >&2
  printf '%s\n' "$problems" >&2
  exit 1
fi
echo "verify: clean"

score_line=$(systemd-analyze security --offline=true "$work/agentd.service" 2>&1 | grep 'Overall exposure level' || true)
echo "${score_line:-no score}"
score=$(printf '%s\n' "$score_line" | sed -n 's/.*: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "could not read the security score" >&2; exit 1; }
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || { echo "exposure $score is above 1.5" >&2; exit 1; }
echo "security: $score (target <= 1.5)"
