import { formatMoney } from '../billing/money.ts';
import { invalidParameter, missingParameter } from '../sms/errors.ts';
import { DAY_MS, sendStatistics, type StatsGroup } from '../store/statistics.ts';
import type { ActionAnswer, ActionContext } from './context.ts';
import { intParam } from './reports.ts';

const MAX_RANGE_DAYS = 366;
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

/**
 * GetUSMSSendStatistics: per day (UTC) and country (BrevityCode) counts of the caller's messages,
 * by outcome: Success = delivered, Failed = undelivered or expired, SubmitFailed = the carrier refused
 * it, Unknown = everything else (no final receipt yet, or an unknown one). Counts are messages,
 * CostCount the billed segments. Days are UTC days of the time the message was accepted.
 */
export async function sendStatisticsAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  return statistics(ctx, params, false);
}

/** GetUSMSTemplateSendStatistics: the same, grouped (and filterable) by TemplateId as well. */
export async function templateSendStatisticsAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  return statistics(ctx, params, true);
}

async function statistics(ctx: ActionContext, params: Record<string, unknown>, byTemplate: boolean): Promise<ActionAnswer> {
  const from = dateParam(params.StartDate, 'StartDate');
  const to = dateParam(params.EndDate, 'EndDate');
  if (to < from) throw invalidParameter('EndDate', `must not be before StartDate (${params.StartDate as string})`);
  if ((to - from) / DAY_MS + 1 > MAX_RANGE_DAYS) throw invalidParameter('EndDate', `the range is at most ${MAX_RANGE_DAYS} days`);
  const perPage = intParam(params.NumPerPage, 'NumPerPage', DEFAULT_PER_PAGE, 1, MAX_PER_PAGE);
  const page = intParam(params.Page, 'Page', 0, 0, 1_000_000);
  const domestic = params.Domestic === undefined || params.Domestic === '' ? undefined : intParam(params.Domestic, 'Domestic', 0, 0, 1) === 1;
  const purpose = params.Purpose === undefined || params.Purpose === '' ? undefined : intParam(params.Purpose, 'Purpose', 0, 1, 3);
  const orderBy = choice(params.OrderBy, 'OrderBy', byTemplate ? ['SendDate', 'BrevityCode', 'TemplateId'] : ['SendDate', 'BrevityCode'], 'SendDate');
  const orderType = choice(typeof params.OrderType === 'string' ? params.OrderType.toLowerCase() : params.OrderType, 'OrderType', ['asc', 'desc'], 'desc');
  const brevityCode = optionalString(params.BrevityCode, 'BrevityCode');
  if (brevityCode !== undefined && !/^[A-Za-z]{2}(-[A-Za-z]{2})*$/.test(brevityCode)) {
    throw invalidParameter('BrevityCode', 'must be a two-letter ISO country code such as CN, or several joined by "-" such as CN-ID');
  }
  // Several countries (UCloud documents "CN-ID"): all are read, then the groups are filtered here.
  const countries = brevityCode === undefined ? undefined : new Set(brevityCode.toUpperCase().split('-'));
  const templateIds = byTemplate ? templateIdList(params.TemplateId) : undefined;

  const read = await sendStatistics(ctx.services.db, {
    accountId: ctx.caller.accountId,
    from,
    to: to + DAY_MS,
    domestic,
    brevityCode: countries?.size === 1 ? [...countries][0] : undefined,
    purpose,
    templateIds,
    byTemplate,
  });
  const groups = countries && countries.size > 1 ? read.filter((g) => countries.has(g.region)) : read;

  // Groups are few (days x countries x templates in a bounded range): order and page them here, so
  // the order is the same on every database (no collation differences).
  const dir = orderType === 'asc' ? 1 : -1;
  const str = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const primary: Record<string, (a: StatsGroup, b: StatsGroup) => number> = {
    SendDate: (a, b) => a.day - b.day,
    BrevityCode: (a, b) => str(a.region, b.region),
    TemplateId: (a, b) => str(a.templateId, b.templateId),
  };
  // Ties: by day, country, template, ascending.
  const tie = (a: StatsGroup, b: StatsGroup) => a.day - b.day || str(a.region, b.region) || str(a.templateId, b.templateId);
  groups.sort((a, b) => dir * primary[orderBy]!(a, b) || tie(a, b));
  const pageRows = groups.slice(page * perPage, (page + 1) * perPage);

  const total = groups.reduce(
    (t, g) => {
      for (const k of Object.keys(t) as Array<keyof typeof t>) t[k] += g[k];
      return t;
    },
    { count: 0, cost: 0, success: 0, successCost: 0, failed: 0, failedCost: 0, submitFailed: 0, submitFailedCost: 0, spend: 0 },
  );
  // Spend next to volume, once the account pays for its messages (absent while billing is off: the SDK shapes stay as documented).
  const billing = await ctx.services.prices.billing(ctx.caller.accountId);
  const spend = (micros: number) => (billing.charged ? { Spend: formatMoney(micros) } : {});
  return {
    fields: {
      Data: pageRows.map((g) => ({
        ...(byTemplate ? { TemplateId: g.templateId } : {}),
        BrevityCode: g.region,
        SendDate: new Date(g.day * DAY_MS).toISOString().slice(0, 10),
        ...counts(g),
        ...spend(g.spend),
      })),
      StatisticsData: { ...totals(total), ...spend(total.spend), ...(billing.charged ? { Currency: billing.currency } : {}) },
      Total: groups.length,
    },
  };
}

/** The counts of one per-day row (the UCloud SDKs' StatisticsDataInfo names). */
function counts(g: Counts) {
  return {
    Count: g.count,
    CostCount: g.cost,
    SuccessCount: g.success,
    SuccessCostCount: g.successCost,
    FailedCount: g.failed,
    FailedCostCount: g.failedCost,
    SubmitFailedCount: g.submitFailed,
    SubmitFailedCostCount: g.submitFailedCost,
    UnknownCount: g.count - g.success - g.failed - g.submitFailed,
    UnknownCostCount: g.cost - g.successCost - g.failedCost - g.submitFailedCost,
    // Percent of the messages (not segments) delivered, two decimals.
    SuccessRate: g.count === 0 ? 0 : Math.round((g.success / g.count) * 10_000) / 100,
  };
}

type Counts = Pick<StatsGroup, 'count' | 'cost' | 'success' | 'successCost' | 'failed' | 'failedCost' | 'submitFailed' | 'submitFailedCost'>;

/**
 * The totals over every row, named as the UCloud SDKs' StatisticsData model names them (Send*, Fail*,
 * SubmitFail*), which differ from the per-day rows' names (Count, Failed*, SubmitFailed*).
 */
function totals(t: Counts) {
  return {
    SendCount: t.count,
    SendCostCount: t.cost,
    SuccessCount: t.success,
    SuccessCostCount: t.successCost,
    FailCount: t.failed,
    FailCostCount: t.failedCost,
    SubmitFailCount: t.submitFailed,
    SubmitFailCostCount: t.submitFailedCost,
    UnknownCount: t.count - t.success - t.failed - t.submitFailed,
    UnknownCostCount: t.cost - t.successCost - t.failedCost - t.submitFailedCost,
  };
}

/** A `YYYY-MM-DD` calendar date as the unix ms of its UTC midnight. */
function dateParam(raw: unknown, name: string): number {
  if (raw === undefined || raw === null || raw === '') throw missingParameter(name);
  const m = typeof raw === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim()) : null;
  if (!m) throw invalidParameter(name, `must be a date as YYYY-MM-DD, got ${JSON.stringify(raw)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || y < 1970) {
    throw invalidParameter(name, `${raw as string} is not a calendar date`);
  }
  return t;
}

function choice(raw: unknown, name: string, allowed: string[], fallback: string): string {
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (typeof raw !== 'string' || !allowed.includes(raw)) throw invalidParameter(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
}

function optionalString(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') throw invalidParameter(name, 'must be a string');
  return raw.trim();
}

/** TemplateId as one id or a list (UCloud `TemplateId.0`, uSpeedo array); undefined = all templates. */
function templateIdList(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return undefined;
  if (list.length > 100 || !list.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 64)) {
    throw invalidParameter('TemplateId', 'must be a TemplateId or a list of at most 100 TemplateIds');
  }
  return [...new Set(list as string[])];
}
