import { resolveKey, type ResolvedKey } from '../store/keys.ts';
import type { Db } from '../store/db.ts';
import type { SecretBox } from '../auth/secrets.ts';
import { getTemplate, listTemplates, TemplateStatus, type Template } from '../store/templates.ts';
import { findApprovedSender, listSenders } from '../store/senders.ts';
import { blacklistEntries } from '../store/blacklist.ts';

const TTL_MS = 2_000;
/**
 * How long an active key is trusted without asking the database again: the longest a key revoked
 * by another process (another node, or the CLI when no server answered it) still authenticates here.
 * A revocation through this process's /operator/keys/revoke is dropped from every thread's cache at once.
 */
export const KEY_TTL_MS = 1_000;
const BLACKLIST_TTL_MS = 1_000;

/**
 * Short-lived caches for what every request reads: keys, approved templates and senders.
 * Only positive answers are cached, so an approval by the operator takes effect at once, a
 * rejection within TTL_MS and a revocation within KEY_TTL_MS (at once through `forgetKey`).
 */
export class Lookups {
  private keys = new Map<string, { value: ResolvedKey; until: number }>();
  /** Bumped by forgetKey: a lookup that started before it does not cache what it read. */
  private keyGeneration = 0;
  private templates = new Map<string, { value: Template; until: number }>();
  private templateLists = new Map<number, { value: Promise<Template[]>; until: number }>();
  private senders = new Map<string, { value: string; until: number }>();
  private blacklists = new Map<number, { value: Promise<Map<string, number | null>>; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async key(publicKey: string): Promise<ResolvedKey | undefined> {
    const hit = this.keys.get(publicKey);
    if (hit && hit.until > Date.now()) return hit.value;
    const generation = this.keyGeneration;
    const value = await resolveKey(this.db, this.box, publicKey);
    if (value && generation === this.keyGeneration) this.keys.set(publicKey, { value, until: Date.now() + KEY_TTL_MS });
    else this.keys.delete(publicKey);
    return value;
  }

  /** Drops a key from the cache (it was revoked): the next request with it reads the database. */
  forgetKey(publicKey: string): void {
    this.keys.delete(publicKey);
    this.keyGeneration++;
  }

  /** The account's template if it exists and is approved. */
  async approvedTemplate(accountId: number, id: string): Promise<Template | undefined> {
    const k = `${accountId}\u0000${id}`;
    const hit = this.templates.get(k);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await getTemplate(this.db, accountId, id);
    if (value?.status === TemplateStatus.Approved) {
      this.templates.set(k, { value, until: Date.now() + TTL_MS });
      return value;
    }
    this.templates.delete(k);
    return undefined;
  }

  /** All of the account's approved templates (what SMPP text is matched against), reloaded at most every TTL_MS. */
  approvedTemplates(accountId: number): Promise<Template[]> {
    const hit = this.templateLists.get(accountId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = listTemplates(this.db, accountId).then((all) => all.filter((t) => t.status === TemplateStatus.Approved));
    this.templateLists.set(accountId, { value, until: Date.now() + TTL_MS });
    value.catch(() => this.templateLists.delete(accountId));
    return value;
  }

  async senderApproved(accountId: number, name: string): Promise<boolean> {
    const k = `${accountId}\u0000${name}`;
    const hit = this.senders.get(k);
    if (hit && hit.until > Date.now()) return true;
    const found = await findApprovedSender(this.db, accountId, name);
    if (found) this.senders.set(k, { value: found.name, until: Date.now() + TTL_MS });
    else this.senders.delete(k);
    return Boolean(found);
  }

  /**
   * The account's blacklist (E.164 number -> when it opted out by a reply, or null), reloaded at most
   * once a second: one query a second per sending account instead of one per request. A number added
   * by the operator, or opted out, is refused within a second.
   */
  blacklist(accountId: number): Promise<Map<string, number | null>> {
    const hit = this.blacklists.get(accountId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = blacklistEntries(this.db, accountId);
    this.blacklists.set(accountId, { value, until: Date.now() + BLACKLIST_TTL_MS });
    value.catch(() => this.blacklists.delete(accountId));
    return value;
  }

  /** The account's earliest approved sender, used when SendUSMSMessage names none. */
  async defaultSender(accountId: number): Promise<string | undefined> {
    const all = await listSenders(this.db, accountId);
    return all.find((s) => s.status === TemplateStatus.Approved)?.name;
  }
}
