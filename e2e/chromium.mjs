// Debian's Chromium, started as the machine notes ask: headless, sandbox off
// (tests run as root in CI) and no background networking, which a closed network
// refuses. playwright-core never downloads a browser; this one comes from apt.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function lancer() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
