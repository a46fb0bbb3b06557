// An unknown address, or a page the role may not open.
import { useApp } from '../lib/app-context.js';
import { Page } from '../lib/components.js';
import { html } from '../lib/preact.js';

export function NotFoundPage({ forbidden }) {
  const { t } = useApp();
  return html`<${Page} title=${forbidden ? t('forbidden.title') : t('notFound.title')} testid="page-not-found">
    <p>${forbidden ? t('forbidden.text') : t('notFound.text')}</p>
    <p><a href="#/overview">${t('notFound.home')}</a></p>
  <//>`;
}
