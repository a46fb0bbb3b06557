import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The data dir holds the master key, the operator token and (SQLite) every message: its owner only. */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** The files of the data dir that must not be readable by anyone but its owner. */
export const PRIVATE_FILES = ['usms.db', 'usms.db-wal', 'usms.db-shm', 'master.key', 'operator.token'];

export interface Tightened {
  path: string;
  /** The mode it had and the one it has now, as octal strings ('0644' -> '0600'). */
  was: string;
  now: string;
}

/** Creates the data dir with mode 0700 when it is missing (parents included). */
export function makeDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
}

/**
 * Creates `path` empty with mode 0600 when it is missing. SQLite gives the -wal and -shm files it creates
 * the mode of the database file, so a database created this way keeps all three private whatever the umask.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
}

/**
 * Creates the data dir (0700) and takes the group's and others' permissions away from it and from the
 * private files in it that exist. Returns what it changed, for the server to log.
 */
export function secureDataDir(dir: string): Tightened[] {
  makeDataDir(dir);
  const changed: Tightened[] = [];
  const tighten = (path: string, allowed: number) => {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if ((mode & ~allowed) === 0) return;
    chmodSync(path, mode & allowed);
    changed.push({ path, was: octal(mode), now: octal(mode & allowed) });
  };
  tighten(dir, DATA_DIR_MODE);
  for (const name of PRIVATE_FILES) tighten(join(dir, name), DATA_FILE_MODE);
  return changed;
}

function octal(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}
