// Shared pieces: the page frame, error and status regions, form fields, confirm and copy buttons, and the
// two hooks every page uses to load data and to run a write.
import { useApp } from './app-context.js';
import { html, useCallback, useEffect, useRef, useState } from './preact.js';

/** The page frame: its heading takes the focus after a navigation (see app.js). */
export function Page({ title, children, testid }) {
  return html`<section class="page" data-testid=${testid}>
    <h1 id="page-title" tabindex="-1">${title}</h1>
    ${children}
  </section>`;
}

/** The text of an error: the server's Error.Message, or a translated line for a failed connection. */
export function errorText(t, error) {
  if (!error) return '';
  if (error.code === 'network') return t('error.network');
  return error.message || t('error.unknown');
}

/** A region that is always in the page, so screen readers announce what appears in it. */
export function ErrorAlert({ error, testid = 'error' }) {
  const { t } = useApp();
  return html`<div class=${error ? 'alert' : 'alert empty'} role="alert" data-testid=${testid}>${errorText(t, error)}</div>`;
}

/** Nothing to show: no children, or only false, null, '' and blank text (what `${cond && ...}` leaves). */
function blank(children) {
  if (Array.isArray(children)) return children.every(blank);
  return children === undefined || children === null || children === false || (typeof children === 'string' && !children.trim());
}

/** A polite live region for results and progress; hidden while it has nothing to say. */
export function Notice({ children, testid = 'notice' }) {
  return html`<div class=${blank(children) ? 'notice empty' : 'notice'} role="status" aria-live="polite" data-testid=${testid}>${children}</div>`;
}

export function Loading() {
  const { t } = useApp();
  return html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`;
}

/** A labelled control: `id` ties the label to it. */
export function Field({ id, label, hint, children, wide }) {
  return html`<div class=${wide ? 'field wide' : 'field'}>
    <label for=${id}>${label}</label>
    ${children}
    ${hint && html`<small id=${`${id}-hint`} class="hint">${hint}</small>`}
  </div>`;
}

/** A text input with its label; `onValue` gets the new value. */
export function TextField({ id, label, value, onValue, type = 'text', hint, testid, wide, ...rest }) {
  return html`<${Field} id=${id} label=${label} hint=${hint} wide=${wide}>
    <input id=${id} type=${type} value=${value ?? ''} data-testid=${testid}
      aria-describedby=${hint ? `${id}-hint` : undefined}
      onInput=${(e) => onValue(e.currentTarget.value)} ...${rest} />
  <//>`;
}

export function SelectField({ id, label, value, onValue, options, testid, hint }) {
  return html`<${Field} id=${id} label=${label} hint=${hint}>
    <select id=${id} value=${value} data-testid=${testid} onChange=${(e) => onValue(e.currentTarget.value)}>
      ${options.map((o) => html`<option value=${o.value} selected=${String(o.value) === String(value)}>${o.label}</option>`)}
    </select>
  <//>`;
}

export function CheckboxField({ id, label, checked, onValue, testid }) {
  return html`<div class="field check">
    <input id=${id} type="checkbox" checked=${checked} data-testid=${testid} onChange=${(e) => onValue(e.currentTarget.checked)} />
    <label for=${id}>${label}</label>
  </div>`;
}

/** Wide tables scroll sideways inside this region (keyboard-scrollable, named for screen readers). */
export function TableScroll({ label, children }) {
  return html`<div class="table-scroll" role="region" aria-label=${label} tabindex="0">${children}</div>`;
}

/** A button that asks "are you sure?" in place (no modal dialog): Yes / Cancel. */
export function ConfirmButton({ label, question, onConfirm, testid, danger = true, disabled }) {
  const { t } = useApp();
  const [asking, setAsking] = useState(false);
  const yes = useRef(null);
  useEffect(() => {
    if (asking && yes.current) yes.current.focus();
  }, [asking]);
  if (!asking) {
    return html`<button type="button" class=${danger ? 'danger' : ''} data-testid=${testid} disabled=${disabled} onClick=${() => setAsking(true)}>${label}</button>`;
  }
  return html`<span class="confirm" role="group" aria-label=${question}>
    <span>${question}</span>
    <button type="button" ref=${yes} class=${danger ? 'danger' : ''} data-testid="confirm-yes"
      onClick=${() => { setAsking(false); onConfirm(); }}>${t('common.yes')}</button>
    <button type="button" data-testid="confirm-no" onClick=${() => setAsking(false)}>${t('common.cancel')}</button>
  </span>`;
}

/** Copies `text`; says so in a live region. Falls back to selecting `fallbackId`'s text where the clipboard API is missing (plain HTTP). */
export function CopyButton({ text, fallbackId, testid = 'copy' }) {
  const { t } = useApp();
  const [done, setDone] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setDone(t('common.copied'));
    } catch {
      const input = fallbackId && document.getElementById(fallbackId);
      if (input && input.select) {
        input.select();
        setDone(t('common.copyManually'));
      } else setDone(t('common.copyFailed'));
    }
  }
  return html`<span class="copy">
    <button type="button" data-testid=${testid} onClick=${copy}>${t('common.copy')}</button>
    <span role="status" aria-live="polite" class="muted">${done}</span>
  </span>`;
}

/** A value shown once (an API secret, a generated password, a reset link) with a copy button and a warning. */
export function SecretBox({ label, value, warning, testid }) {
  const id = `secret-${testid}`;
  return html`<div class="secret" data-testid=${testid}>
    <label for=${id}>${label}</label>
    <div class="row">
      <input id=${id} type="text" readonly value=${value} data-testid=${`${testid}-value`} onFocus=${(e) => e.currentTarget.select()} />
      <${CopyButton} text=${value} fallbackId=${id} testid=${`${testid}-copy`} />
    </div>
    ${warning && html`<p class="warning"><strong>${warning}</strong></p>`}
  </div>`;
}

/** A form whose submit runs `onSubmit` (the default page reload prevented). */
export function Form({ onSubmit, children, testid, label, class: cls }) {
  return html`<form class=${cls || 'form'} data-testid=${testid} aria-label=${label}
    onSubmit=${(e) => { e.preventDefault(); onSubmit(e); }}>${children}</form>`;
}

/**
 * Loads once `deps` change: { data, error, loading, reload }. A slower earlier answer never overwrites a
 * later one. `quiet` reloads (polling) keep the current data on screen.
 */
export function useLoad(loader, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const latest = useRef(0);
  const load = useCallback((quiet) => {
    const call = ++latest.current;
    if (!quiet) setState((s) => ({ ...s, loading: true }));
    return Promise.resolve()
      .then(loader)
      .then(
        (data) => call === latest.current && setState({ data, error: null, loading: false }),
        (error) => call === latest.current && setState((s) => ({ data: quiet ? s.data : undefined, error, loading: false })),
      );
  }, deps);
  useEffect(() => {
    load(false);
  }, [load]);
  return { ...state, reload: load };
}

/** Runs a write: { busy, error, result, run }. `run` resolves to the answer, or undefined after an error. */
export function useAction() {
  const [state, setState] = useState({ busy: false, error: null, result: undefined });
  const run = useCallback(async (action) => {
    setState({ busy: true, error: null, result: undefined });
    try {
      const result = await action();
      setState({ busy: false, error: null, result });
      return result;
    } catch (error) {
      setState({ busy: false, error, result: undefined });
      return undefined;
    }
  }, []);
  const clear = useCallback(() => setState({ busy: false, error: null, result: undefined }), []);
  return { ...state, run, clear };
}

/** Pages that work on one account: for an operator, a prompt until one is chosen in the header. */
export function NeedsAccount({ title, children }) {
  const app = useApp();
  if (app.user.Role === 'operator' && !app.account) {
    return html`<${Page} title=${title} testid="page-needs-account">
      <p class="notice" data-testid="needs-account">${app.t('account.choose')}</p>
    <//>`;
  }
  return children;
}

/** `t(prefix.name)`, or `name` itself for a key the dictionary does not know (a field the server added). */
export function labelOr(t, prefix, name) {
  const key = `${prefix}.${name}`;
  const text = t(key);
  return text === key ? String(name) : text;
}

/** The name of a status in the current language, with a class for its colour. */
export function StatusTag({ group, value }) {
  const { t } = useApp();
  return html`<span class=${`tag ${group}-${String(value).replace(/[^a-z0-9-]/gi, '')}`}>${labelOr(t, group, value)}</span>`;
}
