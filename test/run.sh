#!/usr/bin/env bash
# The whole suite: unit and end-to-end tests on the embedded SQLite, then, when USMS_TEST_DATABASE_URL
# names a PostgreSQL server, the end-to-end suite again on PostgreSQL (each server gets its own database).
# The multi-process scale and crash tests run on their own after each pass: they load both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=test/scale.e2e.test.ts
node --import tsx --test --test-concurrency=2 $(find src test -name '*.test.ts' ! -path "$scale" | sort)
node --import tsx --test "$scale"
if [ -n "${USMS_TEST_DATABASE_URL:-}" ]; then
  echo "# end-to-end suite on PostgreSQL"
  USMS_E2E_DB=postgres node --import tsx --test --test-concurrency=2 $(find test -name '*.e2e.test.ts' ! -path "$scale" | sort)
  USMS_E2E_DB=postgres node --import tsx --test "$scale"
elif [ "${USMS_TEST_REQUIRE_POSTGRES:-}" = "1" ]; then
  echo "USMS_TEST_REQUIRE_POSTGRES=1 but USMS_TEST_DATABASE_URL is not set" >&2
  exit 1
fi
