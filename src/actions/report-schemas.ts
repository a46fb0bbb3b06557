import { Type } from '@sinclair/typebox';
import { EXPECTED, actionAnswer, date, idList, int, oneOf } from './schema-kit.ts';

/* Request and answer schemas of GetUSMSSendReceipt, PullUSMSReport and the two statistics actions. */

const receipt = {
  Phone: Type.String(),
  CostCount: Type.Integer({ description: 'segments billed' }),
  ReceiptResult: Type.String({ description: 'UCloud: success / fail / sending / unknown; uSpeedo and REST: their documented spelling' }),
  ReceiptCode: Type.String({ description: 'the carrier\'s status, e.g. DELIVRD, UNDELIV' }),
  ReceiptDesc: Type.String(),
  ReceiptTime: Type.Integer({ description: 'unix seconds' }),
  UserId: Type.String(),
  AccountId: Type.Optional(Type.Integer({ description: 'uSpeedo and REST only' })),
  BrevityCode: Type.Optional(Type.String({ description: 'ISO country of the number; uSpeedo and REST only' })),
  CountryCode: Type.Optional(Type.String({ description: 'calling code of the number; uSpeedo and REST only' })),
};

export const ReceiptData = Type.Array(
  Type.Object({ SessionNo: Type.String(), ReceiptSet: Type.Array(Type.Object(receipt)) }),
  { description: 'one entry per SessionNo asked for; another account\'s or an unknown SessionNo has an empty ReceiptSet' },
);

export const getReceiptParams = Type.Object({ SessionNoSet: idList('SessionNo values from send answers', 100) });
export const getReceiptAnswer = actionAnswer('GetUSMSSendReceipt', { Data: Type.Optional(ReceiptData) });

export const pullReportParams = Type.Object({ Limit: Type.Optional(int('at most this many reports (default 100); a pulled report is gone', 1, 200)) });
export const pullReportAnswer = actionAnswer('PullUSMSReport', {
  ReportSet: Type.Optional(Type.Array(Type.Object({ SessionNo: Type.String(), ...receipt }))),
});

const statisticsFilters = {
  StartDate: date('first day (UTC), YYYY-MM-DD'),
  EndDate: date('last day (UTC), YYYY-MM-DD; at most 366 days after StartDate'),
  Domestic: Type.Optional(int('1 mainland China only, 0 the rest', 0, 1)),
  Purpose: Type.Optional(int('only templates of this purpose', 1, 3)),
  BrevityCode: Type.Optional(
    Type.String({
      description: 'only this country (ISO code such as CN), or these countries joined by "-" (CN-ID)',
      pattern: '^[A-Za-z]{2}(-[A-Za-z]{2})*$',
      [EXPECTED]: 'a two-letter ISO country code such as CN, or several joined by "-" such as CN-ID',
    }),
  ),
  OrderType: Type.Optional(Type.String({ description: 'asc or desc (default), any case', pattern: '^([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])$', [EXPECTED]: 'asc or desc' })),
  Page: Type.Optional(int('page number from 0', 0, 1_000_000)),
  NumPerPage: Type.Optional(int('rows per page (default 20)', 1, 100)),
};

const counts = {
  Count: Type.Integer({ description: 'messages' }),
  CostCount: Type.Integer({ description: 'segments' }),
  SuccessCount: Type.Integer(),
  SuccessCostCount: Type.Integer(),
  FailedCount: Type.Integer(),
  FailedCostCount: Type.Integer(),
  SubmitFailedCount: Type.Integer(),
  SubmitFailedCostCount: Type.Integer(),
  UnknownCount: Type.Integer(),
  UnknownCostCount: Type.Integer(),
  SuccessRate: Type.Number({ description: 'percent of messages delivered, two decimals' }),
};
const row = { BrevityCode: Type.String(), SendDate: Type.String({ description: 'YYYY-MM-DD (UTC)' }), ...counts };

/** The totals: named as the UCloud SDKs' StatisticsData model, not as the rows. */
const totals = Type.Object(
  {
    SendCount: Type.Integer({ description: 'messages' }),
    SendCostCount: Type.Integer({ description: 'segments' }),
    SuccessCount: Type.Integer(),
    SuccessCostCount: Type.Integer(),
    FailCount: Type.Integer(),
    FailCostCount: Type.Integer(),
    SubmitFailCount: Type.Integer(),
    SubmitFailCostCount: Type.Integer(),
    UnknownCount: Type.Integer(),
    UnknownCostCount: Type.Integer(),
  },
  { description: 'totals over all rows, not only this page' },
);

export const sendStatisticsParams = Type.Object({
  ...statisticsFilters,
  OrderBy: Type.Optional(oneOf('default SendDate', ['SendDate', 'BrevityCode'])),
});
export const sendStatisticsAnswer = actionAnswer('GetUSMSSendStatistics', {
  Data: Type.Optional(Type.Array(Type.Object(row))),
  StatisticsData: Type.Optional(totals),
  Total: Type.Optional(Type.Integer({ description: 'rows in all pages' })),
});

export const templateStatisticsParams = Type.Object({
  ...statisticsFilters,
  TemplateId: Type.Optional(idList('only these templates', 100)),
  OrderBy: Type.Optional(oneOf('default SendDate', ['SendDate', 'BrevityCode', 'TemplateId'])),
});
export const templateStatisticsAnswer = actionAnswer('GetUSMSTemplateSendStatistics', {
  Data: Type.Optional(Type.Array(Type.Object({ TemplateId: Type.String(), ...row }))),
  StatisticsData: Type.Optional(totals),
  Total: Type.Optional(Type.Integer()),
});

/** REST v1 `GET /api/v1/usms/USMSSendReceipt?id=S1&id=S2`. */
export const restReceiptQuery = Type.Object({ id: idList('SessionNo values (repeat id= for several)', 100) });
export const restReceiptAnswer = Type.Object({ RetCode: Type.Integer(), Message: Type.String(), Data: Type.Optional(ReceiptData) });
