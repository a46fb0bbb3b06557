import { existsSync } from 'node:fs';

/** Debian's Chromium: playwright-core drives it (it cannot download a browser here). */
export const CHROMIUM = '/usr/bin/chromium';
/** No background connections: this machine's closed network refuses them, many at a time. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const DESKTOP = { width: 1280, height: 800 };

/** A browser test's `skip`: no browser is a skip, unless USMS_TEST_REQUIRE_BROWSER=1 makes it a failure. */
export const browserSkip = existsSync(CHROMIUM) || process.env.USMS_TEST_REQUIRE_BROWSER === '1' ? false : `no browser at ${CHROMIUM} (USMS_TEST_REQUIRE_BROWSER=1 makes this a failure)`;
