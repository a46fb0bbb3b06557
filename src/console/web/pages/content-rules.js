// Blocked words and patterns: every rule the account's texts are checked against (the platform's and its
// own). Account admins block and unblock plain words of their account; operators also platform-wide rules
// and regular expressions. Matching ignores case and full-width/half-width forms.
import { api, seg } from '../lib/api.js';
import { accountQuery, can, isOperator, useApp } from '../lib/app-context.js';
import { CheckboxField, ConfirmButton, ErrorAlert, Form, Loading, Notice, Page, SelectField, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { formatTime } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

export function ContentRulesPage() {
  const app = useApp();
  const { t } = app;
  const operator = isOperator(app.user);
  const manager = can(app.user, 'manage-users');
  const list = useLoad(() => api.get('/content-rules', accountQuery(app)), []);
  const rules = list.data?.Rules ?? [];
  const [pattern, setPattern] = useState('');
  const [regex, setRegex] = useState(false);
  const [scope, setScope] = useState(app.account ? 'account' : 'platform');
  const [formCount, setFormCount] = useState(0);
  const add = useAction();
  const remove = useAction();
  const scopeName = (accountId) => (accountId === 0 ? t('rules.platform') : operator ? t('rules.account', { id: accountId }) : t('rules.yours'));
  const mayRemove = (r) => manager && (operator || (r.AccountId !== 0 && !r.Regex));

  async function submit() {
    remove.clear();
    // An operator blocks platform-wide unless the chosen account is named; a customer always in its own account.
    const query = operator && app.account && scope === 'account' ? { account: app.account } : {};
    const body = { Pattern: pattern, ...(operator && regex && { Regex: true }) };
    if (await add.run(() => api.post('/content-rules', body, { query }))) {
      setPattern('');
      setRegex(false);
      setFormCount((n) => n + 1);
      list.reload(true);
    }
  }
  async function unblock(rule) {
    add.clear();
    if (await remove.run(() => api.del(`/content-rules/${seg(rule.RuleId)}`))) list.reload(true);
  }

  return html`<${Page} title=${t('nav.content-rules')} testid="page-content-rules">
    <p class="muted">${operator && !app.account ? t('rules.introPlatform') : t('rules.intro')}</p>
    ${manager && html`<${Form} key=${formCount} onSubmit=${submit} testid="rule-form" label=${t('rules.block')}>
      <${TextField} id="rule-pattern" label=${regex ? t('rules.regex') : t('rules.word')} value=${pattern} onValue=${setPattern} required maxlength="1000"
        class=${regex ? 'mono' : undefined} hint=${regex ? t('rules.regexHint') : t('rules.wordHint')} testid="rule-pattern" />
      ${operator && app.account && html`<${SelectField} id="rule-scope" label=${t('rules.scope')} value=${scope} onValue=${setScope} testid="rule-scope"
        options=${[{ value: 'platform', label: t('rules.platform') }, { value: 'account', label: t('rules.account', { id: app.account }) }]} />`}
      ${operator && html`<${CheckboxField} id="rule-regex" label=${t('rules.isRegex')} checked=${regex} onValue=${setRegex} testid="rule-regex" />`}
      <div class="actions"><button type="submit" class="primary" disabled=${add.busy} data-testid="rule-add">${t('rules.block')}</button></div>
    <//>`}
    <${ErrorAlert} error=${add.error || remove.error || list.error} />
    <${Notice}>
      ${add.result && (add.result.Added ? t('rules.added', { pattern: add.result.Pattern }) : t('rules.already', { pattern: add.result.Pattern }))}
      ${remove.result && t('rules.removed', { pattern: remove.result.Pattern })}
    <//>
    ${list.loading && html`<${Loading} />`}
    ${list.data && rules.length === 0 && html`<p class="muted" data-testid="rules-empty">${t('rules.none')}</p>`}
    ${rules.length > 0 && html`<${TableScroll} label=${t('nav.content-rules')}>
      <table data-testid="rules-table">
        <thead><tr>
          <th scope="col">${t('rules.pattern')}</th>
          <th scope="col">${t('rules.kind')}</th>
          <th scope="col">${t('rules.scope')}</th>
          <th scope="col">${t('rules.createdBy')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${rules.map((r) => html`<tr data-testid="rule-row">
          <th scope="row" class="mono">${r.Pattern}</th>
          <td>${r.Regex ? t('rules.kindRegex') : t('rules.kindWord')}</td>
          <td>${scopeName(r.AccountId)}</td>
          <td>${r.CreatedBy ?? '–'}</td>
          <td class="time">${formatTime(r.CreateTime)}</td>
          <td>${mayRemove(r) && html`<${ConfirmButton} label=${t('rules.unblock')} question=${t('rules.unblockConfirm', { pattern: r.Pattern })}
            testid="rule-remove" onConfirm=${() => unblock(r)} />`}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}
