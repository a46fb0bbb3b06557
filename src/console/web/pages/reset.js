// A password reset link (#/reset/<token>) issued by an operator: choose a new password, once.
import { api } from '../lib/api.js';
import { useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Notice, Page, TextField, useAction } from '../lib/components.js';
import { html, useState } from '../lib/preact.js';

export function ResetPage({ token }) {
  const { t } = useApp();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(null);
  const action = useAction();

  async function submit() {
    if (password !== again) return setMismatch({ message: t('password.mismatch') });
    setMismatch(null);
    await action.run(() => api.post('/reset', { Token: token, Password: password }, { quiet401: true }));
  }

  return html`<${Page} title=${t('reset.title')} testid="page-reset">
    <div class="narrow">
      ${action.result
        ? html`<${Notice} testid="reset-done">${t('reset.done')} <a href="#/login" data-testid="reset-login">${t('reset.toLogin')}</a><//>`
        : html`<${Form} onSubmit=${submit} testid="reset-form" label=${t('reset.title')}>
            <${TextField} id="reset-password" label=${t('password.new')} type="password" autocomplete="new-password" required value=${password} onValue=${setPassword} testid="reset-password" />
            <${TextField} id="reset-again" label=${t('password.again')} type="password" autocomplete="new-password" required
              value=${again} onValue=${setAgain} testid="reset-again" />
            <div class="actions"><button type="submit" class="primary" disabled=${action.busy} data-testid="reset-submit">${t('reset.submit')}</button></div>
          <//>`}
      <${ErrorAlert} error=${mismatch || action.error} />
    </div>
  <//>`;
}
