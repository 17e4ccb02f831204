#!/usr/bin/env bash
# What installing the package adds to an app that already has express and passport, as a
# newcomer would see it: `npm pack`, then `npm install` of the tarball into a scratch host, from
# an empty npm cache (a new HOME holding only the registry settings). Prints the packages and the
# bytes (apparent size of node_modules, MB = 10^6 bytes) before and after, and the difference.
# Usage: bash scripts/install-footprint.sh [express-version]   (default: 5)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
express=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/home" "$work/host"
if [ -f "$HOME/.npmrc" ]; then cp "$HOME/.npmrc" "$work/home/"; fi
# npm_* variables of an enclosing npm run would steer the child npm (its cache among them).
clean=(env -u npm_config_cache -u NPM_CONFIG_CACHE HOME="$work/home")
while IFS= read -r name; do clean+=(-u "$name"); done < <(env | sed -n 's/^\(npm_[^=]*\)=.*/\1/p')

(cd "$repo" && "${clean[@]}" npm pack --ignore-scripts --silent --pack-destination "$work") >/dev/null
tarball=$(ls "$work"/*.tgz)

list() { node -e "const l=require('$work/host/node_modules/.package-lock.json');for(const [k,v] of Object.entries(l.packages)) if(k.startsWith('node_modules/')) console.log(k.slice(13)+'@'+v.version)" | sort; }
bytes() { du -sb "$work/host/node_modules" | cut -f1; }
mb() { node -e "console.log((Number(process.argv[1])/1e6).toFixed(1))" "$1"; }

cd "$work/host"
echo '{"name":"scratch-host","version":"1.0.0","private":true}' > package.json
"${clean[@]}" npm install --no-audit --no-fund --silent "express@$express" passport
list > "$work/before.txt"; before_bytes=$(bytes)
"${clean[@]}" npm install --no-audit --no-fund --silent "$tarball"
list > "$work/after.txt"; after_bytes=$(bytes)
before_count=$(wc -l < "$work/before.txt"); after_count=$(wc -l < "$work/after.txt")

echo "host with express@$express and passport: $before_count packages, $(mb "$before_bytes") MB"
echo "with express-workspace-auth: $after_count packages, $(mb "$after_bytes") MB"
echo "added: $((after_count - before_count)) packages, $(mb $((after_bytes - before_bytes))) MB"
echo "added, largest first, in kB:"
comm -13 "$work/before.txt" "$work/after.txt" | while IFS= read -r entry; do
  name=${entry%@*}
  echo "$(( $(du -sb "node_modules/$name" | cut -f1) / 1000 )) $entry"
done | sort -rn
