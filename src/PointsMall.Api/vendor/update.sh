#!/usr/bin/env bash
# Refreshes the console's vendored front-end files from the versions package-lock.json pins: npm ci, then copy.
# The files are committed under wwwroot/assets/vendor, so running the mall needs neither npm nor the network.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
cp node_modules/chart.js/dist/chart.umd.min.js ../wwwroot/assets/vendor/chart.umd.min.js
cp node_modules/chart.js/LICENSE.md ../wwwroot/assets/vendor/chart.js.LICENSE.md
rm -rf node_modules
echo "vendored: chart.js $(node -p "require('./package-lock.json').packages['node_modules/chart.js'].version")"
