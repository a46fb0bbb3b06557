import { PriceList } from '../billing/price-list.ts';
import type { MessageDraft } from '../sms/validate.ts';
import type { Db } from '../store/db.ts';
import { pricingOf } from '../store/prices.ts';

const TTL_MS = 1_000;

interface Pricing {
  /** false: the account sends for free (billing off, or a free account) */
  charged: boolean;
  currency: string;
  list: PriceList;
}

/**
 * What each message of a request costs, from price lists read at most once a second per account: a
 * price the operator sets applies within a second on every node. The balance itself is never cached:
 * it is checked and debited in the transaction that stores the messages (store/ledger.ts).
 */
export class PriceBook {
  private cache = new Map<number, { value: Promise<Pricing>; until: number }>();

  constructor(private readonly db: Db) {}

  /** Per draft: its charge in micro-units (0 when free), or undefined when no price covers its destination. */
  async charges(accountId: number, drafts: readonly MessageDraft[]): Promise<Array<number | undefined>> {
    if (drafts.length === 0) return [];
    const pricing = await this.pricing(accountId);
    if (!pricing.charged) return drafts.map(() => 0);
    return drafts.map((d) => pricing.list.chargeFor(d.e164, d.segments));
  }

  /** Whether the account pays for its messages, and in which currency. */
  async billing(accountId: number): Promise<{ charged: boolean; currency: string }> {
    const { charged, currency } = await this.pricing(accountId);
    return { charged, currency };
  }

  private pricing(accountId: number): Promise<Pricing> {
    const hit = this.cache.get(accountId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = pricingOf(this.db, accountId).then((p) => ({
      charged: p.enabled && p.mode !== 'free',
      currency: p.currency,
      list: new PriceList(p.platform, p.account),
    }));
    this.cache.set(accountId, { value, until: Date.now() + TTL_MS });
    value.catch(() => this.cache.delete(accountId));
    return value;
  }
}
