#!/usr/bin/env bash
# ansible-test sanity wants the collection at .../ansible_collections/<namespace>/<name>: copy the tracked
# and new files there, link the collections it depends on beside it, and run the sanity suite.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/.venv"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/shoppulse/analytics"
mkdir -p "$dest"
(cd "$here" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest")
for dep in amazon community ansible; do
  ln -s "$site/ansible_collections/$dep" "$work/ansible_collections/$dep"
done
# ansible-test bootstraps pip in its per-test virtual environments with a script it downloads from a
# site outside the package index: where that script is not cached, cache an offline stand-in.
pip_version=24.2  # ansible-test 2.19 pins pip 24.2 in its virtual environments
mkdir -p "$HOME/.ansible/test/cache"
[ -f "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py" ] ||
  cp "$here/tests/sanity/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
cd "$dest"
git init -q && git add -A >/dev/null  # ansible-test lists a collection's files through git when it can
PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" sanity --python 3.11 --color no "$@"
