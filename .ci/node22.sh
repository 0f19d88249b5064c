#!/usr/bin/env bash
# Prints the path of a Node 22 binary: the machine's own if it is 22, else the official build
# from the npm registry's node-linux-<arch> package, unpacked once into .ci/.cache.
set -euo pipefail
cd "$(dirname "$0")"
if command -v node >/dev/null && [[ "$(node --version)" == v22.* ]]; then
  command -v node
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no Node 22 package for $(uname -m)" >&2; exit 1 ;;
esac
dir=".cache/node22-$arch"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-$arch@22" | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir"
  rm -f "$dir/$tarball"
fi
"$dir/package/bin/node" --version >/dev/null
echo "$PWD/$dir/package/bin/node"
