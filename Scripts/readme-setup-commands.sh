#!/usr/bin/env bash
# Prints the commands of the README's "Set-up" section, one per line, as a user would copy them: the
# lines inside its ```sh fences, in order. .ci/run runs exactly these, so the README cannot drift from
# what works on a fresh machine.
set -euo pipefail
readme="${1:-$(dirname "$0")/../README.md}"
awk '
  /^## /        { inside = ($0 ~ /^## Set-up/) }
  inside && /^```/ { fenced = !fenced; next }
  inside && fenced && NF { print }
' "$readme"
