#!/usr/bin/env bash
# Build the GOV.UK Frontend static assets that audit_app serves itself
# (no CDN at run time).
#
# Usage (from anywhere):  bash assets/build.sh
#
# Outputs (under audit_app/static/govuk/):
#   app.css                  compiled from assets/app.scss (Arial, no web fonts)
#   govuk-frontend.min.js    ES module, imported by audit_app/static/app.js
#   images/...               only the images app.css references
set -euo pipefail

ASSETS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "${ASSETS_DIR}/.." && pwd)"
OUT_DIR="${REPO_DIR}/audit_app/static/govuk"
GOVUK_DIST="${ASSETS_DIR}/node_modules/govuk-frontend/dist/govuk"
URL_PREFIX="/static/govuk/"   # must match $govuk-assets-path in app.scss

cd "${ASSETS_DIR}"

# 1. Install pinned dependencies.
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

version="$(node -p 'require("govuk-frontend/package.json").version')"
if [[ "${version}" != "6.3.0" ]]; then
  echo "build.sh: expected govuk-frontend 6.3.0, found ${version}" >&2
  exit 1
fi

mkdir -p "${OUT_DIR}"

# 2. Compile Sass.
npx --no-install sass --pkg-importer=node --style=compressed --no-source-map \
  app.scss "${OUT_DIR}/app.css"

# 3. JavaScript (ES module build; exports initAll, createAll, isSupported, ...).
#    The source map is not copied: browsers only fetch it with dev tools open.
cp "${GOVUK_DIST}/govuk-frontend.min.js" "${OUT_DIR}/govuk-frontend.min.js"

# 4. Images: start clean, then copy what the compiled CSS references.
rm -rf "${OUT_DIR}/images"
mkdir -p "${OUT_DIR}/images"

grep -oE 'url\([^)]*\)' "${OUT_DIR}/app.css" \
  | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' \
  | sort -u \
  | while IFS= read -r url; do
      case "${url}" in
        data:*) continue ;;
        "${URL_PREFIX}"*) rel="${url#"${URL_PREFIX}"}" ;;
        *) echo "build.sh: unexpected url in app.css: ${url}" >&2; exit 1 ;;
      esac
      src="${GOVUK_DIST}/assets/${rel}"
      if [[ ! -f "${src}" ]]; then
        echo "build.sh: app.css references ${url} but ${src} does not exist" >&2
        exit 1
      fi
      mkdir -p "$(dirname "${OUT_DIR}/${rel}")"
      cp "${src}" "${OUT_DIR}/${rel}"
    done

# No favicons or manifest: govuk-frontend's are the GOV.UK crown, which a council's
# service must not use.

# 5. Sanity checks.
css="${OUT_DIR}/app.css"
size="$(wc -c < "${css}")"
if (( size > 200 * 1024 )); then
  echo "build.sh: app.css is ${size} bytes (> 200 KB)" >&2
  exit 1
fi
if ! grep -qi 'arial' "${css}"; then
  echo "build.sh: app.css does not mention arial" >&2
  exit 1
fi
if grep -qiE 'gds transport|gds-transport|@font-face|\.woff2?' "${css}"; then
  echo "build.sh: app.css still references GDS Transport / web fonts" >&2
  exit 1
fi
missing=0
while IFS= read -r url; do
  case "${url}" in data:*) continue ;; esac
  if [[ ! -f "${OUT_DIR}/${url#"${URL_PREFIX}"}" ]]; then
    echo "build.sh: missing file for ${url}" >&2
    missing=1
  fi
done < <(grep -oE 'url\([^)]*\)' "${css}" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u)
(( missing == 0 )) || exit 1

echo "build.sh: OK (govuk-frontend ${version}, app.css ${size} bytes)"
