import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Encrypts API secrets at rest with AES-256-GCM under the server's master key. */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(material: string): SecretBox {
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) throw new Error('USMS_MASTER_KEY must be 32 bytes, base64-encoded');
    return new SecretBox(key);
  }

  /** Uses `given` if set, else `<dataDir>/master.key`, creating it (mode 0600) on first use. */
  static open(dataDir: string, given?: string): SecretBox {
    if (given) return SecretBox.fromKey(given);
    const file = join(dataDir, 'master.key');
    if (!existsSync(file)) {
      // The data dir holds every secret and (SQLite) every message: its owner only (store/data-dir.ts).
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      try {
        writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    return SecretBox.fromKey(readFileSync(file, 'utf8').trim());
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomToken(length: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new API key pair: a public id and a 40-character secret. */
export function newKeyPair(): { publicKey: string; privateKey: string } {
  return { publicKey: 'AK' + randomToken(22), privateKey: randomToken(40) };
}
