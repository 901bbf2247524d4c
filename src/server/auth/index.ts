/** Users, sessions and API tokens for `telltale serve`: see docs/auth.md. */
export { Auth, principalOf, ADMIN_PASSWORD_FILE, CSRF_HEADER, type AuthOptions, type BootstrapResult, type Principal } from './auth.ts';
export { openAuthStore, type AuthStore, type ApiToken, type User } from './auth-store.ts';
export { authRoutes } from './routes.ts';
export { permissionFor, SCOPES, ROLES, type Permission, type Role, type Scope } from './permissions.ts';
export { LoginLimiter } from './rate-limit.ts';
