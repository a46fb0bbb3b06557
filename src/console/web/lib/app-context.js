// What every page may need: the signed-in user, the language and its `t`, and (operators) the chosen account.
import { createContext, useContext } from './preact.js';

export const AppContext = createContext(null);

/** { user, lang, t, setLanguage, account, setAccount, accounts, signIn, signOut } */
export const useApp = () => useContext(AppContext);

const PERMISSIONS = {
  operator: ['read', 'write', 'manage-users', 'operator'],
  admin: ['read', 'write', 'manage-users'],
  developer: ['read', 'write'],
  viewer: ['read'],
};

/** Mirrors the server's role rule, only to hide what would be refused anyway. */
export function can(user, permission) {
  return Boolean(user && PERMISSIONS[user.Role]?.includes(permission));
}

export const isOperator = (user) => Boolean(user && user.Role === 'operator');

/** The `account` query an API call needs: the operator's chosen account; a customer's is implied by the session. */
export function accountQuery(app) {
  return isOperator(app.user) && app.account ? { account: app.account } : {};
}

/** An account row's id (`AccountId`, or `Id` in some lists). */
export function accountIdOf(row) {
  return row ? (row.AccountId ?? row.Id ?? row.id) : undefined;
}
