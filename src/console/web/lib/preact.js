// The one place that names the vendor modules: every other module imports Preact, its hooks and htm from here.
import { createContext, Fragment, h, render } from '/console/vendor/preact.mjs';
import { useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from '/console/vendor/hooks.mjs';
import htm from '/console/vendor/htm.mjs';

/** JSX-like templates without a compiler: html`<p class="x">${value}</p>`. */
export const html = htm.bind(h);

export { createContext, Fragment, h, render, useCallback, useContext, useEffect, useId, useMemo, useRef, useState };
