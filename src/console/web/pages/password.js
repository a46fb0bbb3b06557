// Change one's own password (the current one is asked again).
import { api } from '../lib/api.js';
import { useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Notice, Page, TextField, useAction } from '../lib/components.js';
import { html, useState } from '../lib/preact.js';

export function PasswordPage() {
  const { t } = useApp();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(null);
  const action = useAction();

  async function submit() {
    if (password !== again) return setMismatch({ message: t('password.mismatch') });
    setMismatch(null);
    const done = await action.run(() => api.post('/me/password', { Current: current, Password: password }));
    if (done) {
      setCurrent('');
      setPassword('');
      setAgain('');
    }
  }

  return html`<${Page} title=${t('nav.password')} testid="page-password">
    <div class="narrow">
      <${Form} onSubmit=${submit} testid="password-form" label=${t('nav.password')}>
        <${TextField} id="password-current" label=${t('password.current')} type="password" autocomplete="current-password" required
          value=${current} onValue=${setCurrent} testid="password-current" />
        <${TextField} id="password-new" label=${t('password.new')} type="password" autocomplete="new-password" required value=${password} onValue=${setPassword} testid="password-new" />
        <${TextField} id="password-again" label=${t('password.again')} type="password" autocomplete="new-password" required
          value=${again} onValue=${setAgain} testid="password-again" />
        <div class="actions"><button type="submit" class="primary" disabled=${action.busy} data-testid="password-submit">${t('common.save')}</button></div>
      <//>
      <${ErrorAlert} error=${mismatch || action.error} />
      <${Notice}>${action.result && t('password.changed')}<//>
    </div>
  <//>`;
}
