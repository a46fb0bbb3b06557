import { OperatorError } from '../operator/actor.ts';

/** The flag that sets each operator field, so that a refusal names what the user typed. */
const FLAG_OF: Record<string, string> = {
  AccountId: '--account', Name: '--name', Region: '--region', Phone: '--phone', Url: '--callback-url', CallbackUrl: '--callback-url',
  TemplateId: '--id', SigId: '--id', Template: '--content', TemplateName: '--name', SigContent: '--name', Purpose: '--purpose',
  UnsubscribeInfo: '--unsubscribe-info', Remark: '--remark', Reason: '--reason', PublicKey: '--key', Limit: '--limit', Ids: '--id',
  Email: '--email', Role: '--role', Pattern: '--pattern', RuleId: '--id', Regex: '--regex',
  Host: '--host', Port: '--port', Tls: '--tls', SystemId: '--system-id', Password: '--password', SystemType: '--system-type',
  BindType: '--bind', Window: '--window', Prefetch: '--prefetch', Binds: '--binds', Throughput: '--throughput', GsmPacking: '--gsm-packing',
  Latin1: '--latin1', Split: '--split', IdFormat: '--id-format', Policy: '--policy', RoutePrefixes: '--prefix', RouteAccounts: '--account',
  Default: '--default', SourceAddr: '--source-addr', ServiceType: '--service-type', ResponseTimeoutMs: '--response-timeout-ms',
  EnquireLinkMs: '--enquire-link-ms', MoAccount: '--mo-account',
};

/**
 * An operator refusal as the CLI reports it: the message with the field it starts with (or names in
 * brackets, as the USMS rules do) spelled as its flag. Other errors pass unchanged.
 */
export function cliError(err: unknown): unknown {
  if (!(err instanceof OperatorError)) return err;
  const message = err.message
    .replace(/^([A-Z][A-Za-z0-9]*)\b/, (word, field: string) => FLAG_OF[field] ?? word)
    .replace(/\[([A-Z][A-Za-z0-9]*)\]/g, (word, field: string) => (FLAG_OF[field] ? `[${FLAG_OF[field]}]` : word));
  return new Error(message, { cause: err });
}
