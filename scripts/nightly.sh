#!/usr/bin/env bash
# The nightly job, phase by phase. The GitHub workflow runs exactly these phases,
# and tests/test_publish.py runs them in a temporary clone, so what CI checks is
# what runs at night.
#
#   scripts/nightly.sh doctor    check config, addresses, endpoints, LLM key and archive (fails on an error)
#   scripts/nightly.sh archive   migrate the page format if needed; fetch, select, summarize, write docs/ (backfill/resummarize on request)
#   scripts/nightly.sh commit    commit docs/ as the bot if it changed, push (rebase and retry if rejected)
#   scripts/nightly.sh build     mkdocs build --strict into site/
#
# Inputs (environment): BACKFILL_SINCE=YYYY-MM-DD, RESUMMARIZE=true|false,
# CONFIG (default config.yml), DOCS (default docs), PUSH_ATTEMPTS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python}"
CONFIG="${CONFIG:-config.yml}"
DOCS="${DOCS:-docs}"

doctor() {
    # First, so that a misconfigured fork fails on its first night with the fix in the log.
    "$PYTHON" -m generator doctor --config "$CONFIG" --docs "$DOCS"
}

archive() {
    # Upgrades an archive written in an older page format; a no-op once it is current.
    "$PYTHON" -m generator migrate --docs "$DOCS"
    if [ -n "${BACKFILL_SINCE:-}" ]; then
        "$PYTHON" -m generator backfill --since "$BACKFILL_SINCE" --config "$CONFIG" --docs "$DOCS"
    fi
    "$PYTHON" -m generator update --config "$CONFIG" --docs "$DOCS"
    if [ "${RESUMMARIZE:-false}" = "true" ]; then
        "$PYTHON" -m generator resummarize --config "$CONFIG" --docs "$DOCS"
    fi
}

commit() {
    git add -A -- "$DOCS"
    if git diff --cached --quiet; then
        echo "docs/ unchanged: nothing to commit"
        return 0
    fi
    git -c user.name="arxiv-archive-bot" -c user.email="arxiv-archive-bot@users.noreply.github.com" \
        commit --quiet -m "Archive: arXiv announcements of $(date -u +%Y-%m-%d)"
    local attempt
    for attempt in $(seq 1 "${PUSH_ATTEMPTS:-3}"); do
        if git push --quiet origin HEAD; then
            return 0
        fi
        echo "push rejected (attempt $attempt); rebasing on the remote and retrying" >&2
        git pull --rebase --quiet origin "$(git rev-parse --abbrev-ref HEAD)"
    done
    echo "error: could not push docs/ after ${PUSH_ATTEMPTS:-3} attempts; fix: rerun the workflow" >&2
    return 1
}

build() {
    # mkdocs.yml reads the archive folder and the config from these (generator/website/settings.py);
    # the two notices about MkDocs' future are not warnings about this site.
    ARCHIVE_DOCS="$DOCS" ARCHIVE_CONFIG="$CONFIG" DISABLE_MKDOCS_2_WARNING=true NO_MKDOCS_2_WARNING=1 \
        "$PYTHON" -m mkdocs build --strict
}

case "${1:-}" in
    doctor) doctor ;;
    archive) archive ;;
    commit) commit ;;
    build) build ;;
    *) echo "usage: $0 doctor|archive|commit|build" >&2; exit 2 ;;
esac
