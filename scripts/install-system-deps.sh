#!/bin/sh
# Install the Debian packages the tests drive for real: chromium (the HTML map in a headless
# browser) and python3-qgis (the GeoPackage opened in QGIS). Does nothing when present.
set -e
need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
/usr/bin/python3 -c "import qgis.core" 2>/dev/null || need="$need python3-qgis qgis-providers"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing system packages:$need (install them with apt-get as root)" >&2
    exit 1
fi
echo "installing Debian packages:$need"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need fonts-noto-cjk >/dev/null
