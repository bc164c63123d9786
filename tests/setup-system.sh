#!/bin/sh
# Install the system packages luzhi's test suite needs, if any is missing (Debian/Ubuntu, as root).
#
#   chromium            browser tests (Playwright, executable_path=/usr/bin/chromium)
#   fonts-wqy-zenhei    CJK glyphs, so screenshots of Chinese pages are not tofu
#   virtuoso-opensource the remote-store tests (tests/virtuoso.py starts its own private instance)
#   nginx-light         the production-proxy tests (tests/test_production_proxy.py runs its own nginx)
#   libreoffice-writer-nogui  converts the Word fixtures to PDF (tests/formats.py, tests/test_formats.py)
#   curl                the README's first steps, run as written (tests/test_readme_run.py)
#
# Idempotent and quick when all is installed: nothing is downloaded, apt-get update is not run.
# Non-interactive (CI=true, no stdin): DEBIAN_FRONTEND=noninteractive, and Virtuoso's debconf
# password question is preseeded blank. The package's own service is kept from starting during
# the install (policy-rc.d answering 101, only if the system has none): the tests never use it.
set -eu

PACKAGES="chromium fonts-wqy-zenhei virtuoso-opensource nginx-light libreoffice-writer-nogui curl"

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
for package in $PACKAGES; do
    installed "$package" || missing="$missing $package"
done
if [ -z "$missing" ]; then
    echo "setup-system: all present ($PACKAGES)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo -n "$0" "$@"
    fi
    echo "setup-system: must run as root to install:$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup-system: installing$missing"

# Blank dba password: the package then leaves its default instance disabled, which is what we want.
if command -v debconf-set-selections >/dev/null 2>&1; then
    debconf-set-selections <<'EOF'
virtuoso-opensource-7 virtuoso-opensource-7/dba-password password
virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password
EOF
fi

# Keep maintainer scripts from starting services (and from waiting on them) during this install.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=yes
fi
cleanup() {
    if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT INT TERM

apt-get update </dev/null
# shellcheck disable=SC2086  # word splitting of the package list is intended
apt-get install -y -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold $missing </dev/null

for package in $PACKAGES; do
    installed "$package" || { echo "setup-system: $package did not install" >&2; exit 1; }
done
command -v virtuoso-t >/dev/null 2>&1 || { echo "setup-system: virtuoso-t not on PATH" >&2; exit 1; }
echo "setup-system: done"
