// Sign in: email and password. A lockout (423) and the per-address limit (429) get their own message.
import { api } from '../lib/api.js';
import { useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Page, TextField, useAction } from '../lib/components.js';
import { html, useState } from '../lib/preact.js';

/** The error to show: the server's message, with the wait spelled out for a lockout or rate limit. */
function loginError(t, error) {
  if (!error) return null;
  const minutes = error.retryAfter ? Math.max(1, Math.ceil(error.retryAfter / 60)) : undefined;
  if (error.code === 'locked') return { message: minutes ? t('login.lockedFor', { minutes }) : t('login.locked') };
  if (error.code === 'rate-limited') return { message: t('login.rateLimited') };
  if (error.status === 401 || error.code === 'unauthenticated') return { message: error.message || t('login.wrong') };
  return error;
}

export function LoginPage() {
  const app = useApp();
  const { t } = app;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  async function submit() {
    const answer = await action.run(() => api.post('/login', { Email: email.trim(), Password: password }, { quiet401: true }));
    if (answer) app.signIn(answer);
  }

  return html`<${Page} title=${t('login.title')} testid="page-login">
    <div class="narrow">
      <${Form} onSubmit=${submit} testid="login-form" label=${t('login.title')}>
        <${TextField} id="login-email" label=${t('login.email')} type="email" autocomplete="username" required
          value=${email} onValue=${setEmail} testid="login-email" />
        <${TextField} id="login-password" label=${t('login.password')} type="password" autocomplete="current-password" required
          value=${password} onValue=${setPassword} testid="login-password" />
        <div class="actions">
          <button type="submit" class="primary" disabled=${action.busy} data-testid="login-submit">${t('login.submit')}</button>
        </div>
      <//>
      <${ErrorAlert} error=${loginError(t, action.error)} />
      <p class="muted">${t('login.forgot')}</p>
    </div>
  <//>`;
}
