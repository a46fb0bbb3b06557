// The console's entry: the session, the language, the operator's account choice, the frame (header,
// navigation, main) and the route table.
import { api, onUnauthenticated, setCsrf } from './lib/api.js';
import { accountIdOf, AppContext, can, isOperator, useApp } from './lib/app-context.js';
import { initialLanguage, LANGUAGES, storeLanguage, translate } from './lib/i18n.js';
import { html, render, useCallback, useEffect, useMemo, useRef, useState } from './lib/preact.js';
import { matchPath, navigate, useRoute } from './lib/router.js';
import { AccountsPage } from './pages/accounts.js';
import { AlarmsPage } from './pages/alarms.js';
import { AuditPage } from './pages/audit.js';
import { BatchPage } from './pages/batch.js';
import { BillingPage } from './pages/billing.js';
import { BlacklistPage } from './pages/blacklist.js';
import { CallbackPage } from './pages/callback.js';
import { CarriersPage } from './pages/carriers.js';
import { ContentRulesPage } from './pages/content-rules.js';
import { InboundPage } from './pages/inbound.js';
import { KeysPage } from './pages/keys.js';
import { LimitsPage } from './pages/limits.js';
import { LoginPage } from './pages/login.js';
import { MessagePage } from './pages/message.js';
import { MessagesPage } from './pages/messages.js';
import { NodesPage } from './pages/nodes.js';
import { NotFoundPage } from './pages/not-found.js';
import { OverviewPage } from './pages/overview.js';
import { PasswordPage } from './pages/password.js';
import { ResetPage } from './pages/reset.js';
import { ReviewPage } from './pages/review.js';
import { SandboxPage } from './pages/sandbox.js';
import { SendPage } from './pages/send.js';
import { SendersPage } from './pages/senders.js';
import { SmppPage } from './pages/smpp.js';
import { TemplatesPage } from './pages/templates.js';
import { UsersPage } from './pages/users.js';

/** Every page: its path, the permission it needs, and its navigation group (none: not in the menu). */
const ROUTES = [
  { path: '/accounts', page: AccountsPage, title: 'nav.accounts', need: 'operator', group: 'operator' },
  { path: '/review', page: ReviewPage, title: 'nav.review', need: 'operator', group: 'operator' },
  { path: '/carriers', page: CarriersPage, title: 'nav.carriers', need: 'operator', group: 'operator' },
  { path: '/smpp', page: SmppPage, title: 'nav.smpp', need: 'operator', group: 'operator' },
  { path: '/nodes', page: NodesPage, title: 'nav.nodes', need: 'operator', group: 'operator' },
  { path: '/sandbox', page: SandboxPage, title: 'nav.sandbox', need: 'operator', group: 'operator' },
  { path: '/overview', page: OverviewPage, title: 'nav.overview', need: 'read', group: 'messaging' },
  { path: '/messages', page: MessagesPage, title: 'nav.messages', need: 'read', group: 'messaging' },
  { path: '/messages/:id', page: MessagePage, title: 'nav.message', need: 'read' },
  { path: '/send', page: SendPage, title: 'nav.send', need: 'write', group: 'messaging' },
  { path: '/batch', page: BatchPage, title: 'nav.batch', need: 'write', group: 'messaging' },
  { path: '/inbound', page: InboundPage, title: 'nav.inbound', need: 'read', group: 'messaging' },
  { path: '/alarms', page: AlarmsPage, title: 'nav.alarms', need: 'read', group: 'messaging' },
  { path: '/templates', page: TemplatesPage, title: 'nav.templates', need: 'read', group: 'setup' },
  { path: '/senders', page: SendersPage, title: 'nav.senders', need: 'read', group: 'setup' },
  { path: '/keys', page: KeysPage, title: 'nav.keys', need: 'read', group: 'setup' },
  { path: '/callback', page: CallbackPage, title: 'nav.callback', need: 'read', group: 'setup' },
  { path: '/blacklist', page: BlacklistPage, title: 'nav.blacklist', need: 'read', group: 'setup' },
  { path: '/content-rules', page: ContentRulesPage, title: 'nav.content-rules', need: 'read', group: 'setup' },
  { path: '/limits', page: LimitsPage, title: 'nav.limits', need: 'read', group: 'setup' },
  { path: '/billing', page: BillingPage, title: 'nav.billing', need: 'read', group: 'setup' },
  { path: '/users', page: UsersPage, title: 'nav.users', need: 'manage-users', group: 'team' },
  { path: '/audit', page: AuditPage, title: 'nav.audit', need: 'manage-users', group: 'team' },
  { path: '/password', page: PasswordPage, title: 'nav.password', need: 'read' },
];

const GROUPS = ['operator', 'messaging', 'setup', 'team'];
const HOME = '/overview';
const ACCOUNT_KEY = 'usms.account';

function storedAccount() {
  try {
    return Number(sessionStorage.getItem(ACCOUNT_KEY)) || null;
  } catch {
    return null;
  }
}

function App() {
  const route = useRoute();
  const [lang, setLang] = useState(initialLanguage);
  const [session, setSession] = useState({ status: 'loading' });
  const [account, setAccountState] = useState(storedAccount);
  const [accounts, setAccounts] = useState([]);
  const chosenWhileSignedOut = useRef(false);
  const returnTo = useRef(null);
  const t = useCallback((key, vars) => translate(lang, key, vars), [lang]);

  useEffect(() => storeLanguage(lang), [lang]);

  const signIn = useCallback((answer) => {
    setCsrf(answer.Csrf);
    const user = answer.User;
    if (chosenWhileSignedOut.current) {
      // The visitor picked a language on the login page: that choice wins and becomes the user's.
      chosenWhileSignedOut.current = false;
      if (user.Language !== lang) api.put('/me/language', { Language: lang }).catch(() => {});
    } else if (LANGUAGES.includes(user.Language)) {
      setLang(user.Language);
    }
    setSession({ status: 'in', user });
  }, [lang]);

  const signedOut = useCallback(() => {
    setCsrf('');
    setAccounts([]);
    setSession({ status: 'anon' });
  }, []);

  const signOut = useCallback(async () => {
    await api.post('/logout').catch(() => {});
    signedOut();
    navigate('/login');
  }, [signedOut]);

  useEffect(() => {
    onUnauthenticated(() => {
      const here = location.hash.replace(/^#/, '');
      if (here && !here.startsWith('/login')) returnTo.current = here;
      signedOut();
      navigate('/login');
    });
    api.get('/me', undefined, { quiet401: true }).then(signIn, (error) => {
      if (error.status === 401) setSession({ status: 'anon' });
      else setSession({ status: 'down', error });
    });
  }, []);

  const setLanguage = useCallback((next) => {
    if (!LANGUAGES.includes(next)) return;
    setLang(next);
    if (session.status === 'in') api.put('/me/language', { Language: next }).catch(() => {});
    else chosenWhileSignedOut.current = true;
  }, [session.status]);

  const setAccount = useCallback((id) => {
    const value = Number(id) || null;
    setAccountState(value);
    try {
      if (value) sessionStorage.setItem(ACCOUNT_KEY, String(value));
      else sessionStorage.removeItem(ACCOUNT_KEY);
    } catch {
      // No storage: the choice holds until the page is reloaded.
    }
  }, []);

  const reloadAccounts = useCallback(() => {
    api.get('/accounts').then((answer) => setAccounts(Array.isArray(answer) ? answer : answer.Accounts || []), () => {});
  }, []);

  const user = session.user;
  useEffect(() => {
    if (isOperator(user)) reloadAccounts();
  }, [user, reloadAccounts]);

  const app = useMemo(
    () => ({ user, lang, t, setLanguage, account: isOperator(user) ? account : null, setAccount, accounts, reloadAccounts, signIn, signOut }),
    [user, lang, t, setLanguage, account, setAccount, accounts, reloadAccounts, signIn, signOut],
  );

  // Where we are: signed out goes to the login page (and comes back after), signed in skips it.
  const resetMatch = matchPath('/reset/:token', route.path);
  useEffect(() => {
    if (resetMatch) return;
    if (session.status === 'anon' && route.path !== '/login') {
      if (route.path !== '/') returnTo.current = route.path + (route.query.toString() ? `?${route.query}` : '');
      navigate('/login');
    }
    if (session.status === 'in' && (route.path === '/login' || route.path === '/')) {
      const next = returnTo.current || HOME;
      returnTo.current = null;
      navigate(next);
    }
  }, [session.status, route.path]);

  let found = null;
  for (const r of ROUTES) {
    const params = matchPath(r.path, route.path);
    if (params) {
      found = { ...r, params };
      break;
    }
  }
  const title = resetMatch ? t('reset.title') : session.status !== 'in' ? t('login.title') : found ? t(found.title) : t('notFound.title');
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);

  // After a navigation the new page's heading takes the focus, so keyboard and screen-reader users start there.
  const firstPath = useRef(route.path);
  useEffect(() => {
    if (route.path === firstPath.current) return;
    firstPath.current = null;
    const timer = setTimeout(() => document.getElementById('page-title')?.focus(), 0);
    return () => clearTimeout(timer);
  }, [route.path, session.status]);

  let content;
  if (resetMatch) content = html`<${ResetPage} token=${resetMatch.token} />`;
  else if (session.status === 'loading') content = html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`;
  else if (session.status === 'down') content = html`<div role="alert" class="alert">${t('error.down')}</div>`;
  else if (session.status !== 'in') content = html`<${LoginPage} />`;
  else if (!found) content = html`<${NotFoundPage} />`;
  else if (!can(user, found.need)) content = html`<${NotFoundPage} forbidden=${true} />`;
  else {
    const PageComponent = found.page;
    // Keyed by the account too: choosing another account loads the page afresh.
    content = html`<${PageComponent} key=${`${route.path}|${app.account || ''}`} params=${found.params} query=${route.query} />`;
  }

  return html`<${AppContext.Provider} value=${app}>
    <${Frame} route=${route} signedIn=${session.status === 'in'}>${content}<//>
  <//>`;
}

/** Skip link, header (menu button, account picker, language, user) and the navigation beside the main region. */
function Frame({ route, signedIn, children }) {
  const app = useApp();
  const { t, user } = app;
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [route.path]);
  const skip = (e) => {
    // The hash is the router's: move the focus instead of following "#main".
    e.preventDefault();
    document.getElementById('main')?.focus();
  };
  return html`
    <a class="skip-link" href="#main" onClick=${skip} data-testid="skip-link">${t('app.skip')}</a>
    <header class="topbar">
      <a class="brand" href=${`#${HOME}`}>${t('app.name')}</a>
      <div class="inline-field">
        <label for="language-select" class="language-label">${t('app.language')}</label>
        <select id="language-select" data-testid="language-select" value=${app.lang} onChange=${(e) => app.setLanguage(e.currentTarget.value)}>
          ${LANGUAGES.map((l) => html`<option value=${l} lang=${l === 'zh' ? 'zh-CN' : 'en'} selected=${l === app.lang}>${t(`lang.${l}`)}</option>`)}
        </select>
      </div>
      ${signedIn && html`<button type="button" class="menu-toggle" aria-expanded=${menuOpen} aria-controls="session-tools nav"
        data-testid="nav-toggle" onClick=${() => setMenuOpen(!menuOpen)}>${t('app.menu')}</button>
      <div id="session-tools" class=${menuOpen ? 'topbar-tools open' : 'topbar-tools'}>
        ${isOperator(user) && html`<${AccountPicker} />`}
        <span class="whoami" data-testid="whoami">${user.Email} <span class="muted">(${t(`role.${user.Role}`)})</span></span>
        <a href="#/password" data-testid="nav-password">${t('nav.password')}</a>
        <button type="button" data-testid="logout" onClick=${app.signOut}>${t('app.logout')}</button>
      </div>`}
    </header>
    <div class=${signedIn ? 'layout' : 'layout signed-out'}>
      ${signedIn && html`<nav id="nav" class=${menuOpen ? 'nav open' : 'nav'} aria-label=${t('app.navigation')}>
        ${GROUPS.map((group) => {
          const items = ROUTES.filter((r) => r.group === group && can(user, r.need));
          if (!items.length) return null;
          return html`<div class="nav-group">
            <h2 class="nav-title" id=${`nav-${group}`}>${t(`navGroup.${group}`)}</h2>
            <ul aria-labelledby=${`nav-${group}`}>
              ${items.map((r) => {
                const current = route.path === r.path || route.path.startsWith(`${r.path}/`);
                return html`<li><a href=${`#${r.path}`} aria-current=${current ? 'page' : undefined} data-testid=${`nav-${r.path.slice(1)}`}>${t(r.title)}</a></li>`;
              })}
            </ul>
          </div>`;
        })}
      </nav>`}
      <main id="main" tabindex="-1">${children}</main>
    </div>`;
}

/** Operators work on all accounts (searches, statistics, audit) or on the one chosen here. */
function AccountPicker() {
  const app = useApp();
  const { t } = app;
  const chosen = app.account ? String(app.account) : '';
  const known = app.accounts.some((a) => String(accountIdOf(a)) === chosen);
  return html`<div class="inline-field">
    <label for="account-picker">${t('account.picker')}</label>
    <select id="account-picker" data-testid="account-picker" value=${chosen} onChange=${(e) => app.setAccount(e.currentTarget.value)}>
      <option value="" selected=${chosen === ''}>${t('account.all')}</option>
      ${!known && chosen && html`<option value=${chosen} selected>${chosen}</option>`}
      ${app.accounts.map((a) => {
        const id = String(accountIdOf(a));
        return html`<option value=${id} selected=${id === chosen}>${a.Name ? `${a.Name} (${id})` : id}</option>`;
      })}
    </select>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
