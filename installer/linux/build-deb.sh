#!/usr/bin/env bash
# Build the Debian package for 统信 UOS / 银河麒麟 (and Debian, Ubuntu, deepin) from the
# PyInstaller folder:   installer/linux/build-deb.sh dist/yishi   ->   dist/yishi-desk_<version>_<arch>.deb
#
# The bundle goes to /opt/yishi-desk; `yishi` and `yishi-cli` are linked into /usr/bin; the menu
# entry and icon go where the desktop looks for them. Clerks' data lives in their home folders
# (~/.local/share/YishiDesk) and is never touched by installing, upgrading or removing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUNDLE=$(cd "${1:-$ROOT/dist/yishi}" && pwd)
OUT=${2:-$(dirname "$BUNDLE")}
VERSION=$(python3 -c "import re,sys; print(re.search(r'__version__ = \"([^\"]+)\"', open(sys.argv[1]).read())[1])" \
  "$ROOT/app/__init__.py")
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

install -d "$STAGE/opt/yishi-desk" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/doc/yishi-desk" "$STAGE/DEBIAN"
cp -a "$BUNDLE/." "$STAGE/opt/yishi-desk/"
ln -s /opt/yishi-desk/yishi "$STAGE/usr/bin/yishi"          # no command: the window; a command: headless
ln -s /opt/yishi-desk/yishi-cli "$STAGE/usr/bin/yishi-cli"  # headless only, never loads Qt
install -m 644 "$HERE/yishi-desk.desktop" "$STAGE/usr/share/applications/yishi-desk.desktop"
install -m 644 "$ROOT/resources/icons/yishi.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/yishi-desk.png"
# What the package carries and under which licences (machine-readable, DEP-5), with the fonts' own files.
install -m 644 "$HERE/copyright" "$STAGE/usr/share/doc/yishi-desk/copyright"
for licence in "$ROOT"/resources/fonts/*.LICENSE.txt; do
  install -m 644 "$licence" "$STAGE/usr/share/doc/yishi-desk/"
done
SIZE=$(du -sk "$STAGE/opt" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" "$HERE/control.in" > "$STAGE/DEBIAN/control"
install -m 755 "$HERE/postinst" "$STAGE/DEBIAN/postinst"
install -m 755 "$HERE/postrm" "$STAGE/DEBIAN/postrm"
find "$STAGE" -type d -exec chmod 755 {} +

PACKAGE="$OUT/yishi-desk_${VERSION}_${ARCH}.deb"
dpkg-deb --build --root-owner-group "$STAGE" "$PACKAGE" >/dev/null
echo "$PACKAGE"
