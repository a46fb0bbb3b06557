import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console's static files: its own page (`src/console/web`, plain browser modules, no build step)
 * and the vendor modules, read from their npm packages so that nothing comes from a CDN.
 */
const require = createRequire(import.meta.url);
// src/console/assets.ts and dist/console/assets.js both sit two levels under the package root.
const WEB_DIR = fileURLToPath(new URL('../../src/console/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(file: string, rewrite?: (text: string) => string): Asset {
  const raw = readFileSync(file);
  const body = rewrite ? Buffer.from(rewrite(raw.toString('utf8'))) : raw;
  const ext = file.slice(file.lastIndexOf('.'));
  return { body, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

/** The vendor files the page imports by URL; hooks import the bare name `preact`, pointed at our URL. */
function vendorFiles(): Record<string, () => Asset> {
  const preact = require.resolve('preact');
  const hooks = require.resolve('preact/hooks');
  const htmDir = dirname(require.resolve('htm'));
  const uplotDir = dirname(require.resolve('uplot'));
  return {
    'preact.mjs': () => asset(preact),
    'hooks.mjs': () => asset(hooks, (t) => t.replace(/from\s*["']preact["']/g, 'from"/console/vendor/preact.mjs"')),
    'htm.mjs': () => asset(join(htmDir, 'htm.mjs')),
    'uplot.mjs': () => asset(join(uplotDir, 'uPlot.esm.js')),
    'uplot.css': () => asset(join(uplotDir, 'uPlot.min.css')),
  };
}

export class ConsoleAssets {
  private readonly vendor = vendorFiles();
  private readonly cache = new Map<string, Asset>();

  constructor(private readonly reload = false) {}

  vendorAsset(name: string): Asset | undefined {
    const load = this.vendor[name];
    return load && this.cached(`vendor:${name}`, load);
  }

  /** A file of the page by its path under web/; never outside it. */
  appAsset(path: string): Asset | undefined {
    const file = normalize(join(WEB_DIR, path));
    if (!file.startsWith(WEB_DIR) || file.includes(`${sep}.`) || file.endsWith('.test.js') || !(file.slice(file.lastIndexOf('.')) in TYPES)) return undefined;
    try {
      if (!statSync(file).isFile()) return undefined;
    } catch {
      return undefined;
    }
    return this.cached(`app:${file}`, () => asset(file));
  }

  page(): Asset {
    return this.cached('index', () => asset(join(WEB_DIR, 'index.html')));
  }

  private cached(key: string, load: () => Asset): Asset {
    if (this.reload) return load();
    let a = this.cache.get(key);
    if (!a) this.cache.set(key, (a = load()));
    return a;
  }
}
