/**
 * Settings: your own password; for admins, API tokens (created here, the secret shown once) and users
 * with their roles. Everything goes through /api/telltale/{me,tokens,users} (docs/auth.md).
 */
import { useState } from 'preact/hooks';
import { changeOwnPassword, createToken, createUser, deleteUser, revokeToken, setRole, tokens, users, type Me } from '../api.ts';
import { Problem, Section } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';

const SCOPES = ['read', 'write', 'ingest', 'runs:write', 'admin'];
const ROLES = ['viewer', 'editor', 'admin'];
const day = (iso: string | null) => (iso === null ? '–' : iso.slice(0, 10));

/** Runs a change, keeping its error for display; `after` runs once it succeeded. */
function useAction(): [string | undefined, (fn: () => Promise<unknown>, after?: () => void) => void] {
  const [error, setError] = useState<string | undefined>(undefined);
  const run = (fn: () => Promise<unknown>, after?: () => void) => {
    setError(undefined);
    fn().then(() => after?.(), (err: Error) => setError(err.message));
  };
  return [error, run];
}

function OwnPassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const [error, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(false);
    run(() => changeOwnPassword(current, next), () => { setDone(true); setCurrent(''); setNext(''); });
  };
  return (
    <Section title="Your password">
      <form class="settings-form" onSubmit={submit}>
        <label>Current <input type="password" name="currentPassword" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required /></label>
        <label>New (8 characters or more) <input type="password" name="newPassword" autocomplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} required /></label>
        <button type="submit">Change password</button>
        {done ? <span class="ok-note">Changed; your other sessions were ended.</span> : null}
      </form>
      <Problem error={error} />
    </Section>
  );
}

function Tokens() {
  const list = useLoad(tokens, []);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [expires, setExpires] = useState('90d');
  const [made, setMade] = useState<{ name: string; token: string } | null>(null);
  const [error, run] = useAction();
  const toggle = (s: string) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const t = await createToken(name, scopes, expires === 'never' ? null : expires);
      setMade({ name: t.name, token: t.token });
      setName('');
    }, list.reload);
  };
  return (
    <Section title="API tokens">
      <form class="settings-form" onSubmit={submit} aria-label="New token">
        <label>Name <input name="tokenName" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="prometheus remote_write" required /></label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => <label class="inline" key={s}><input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> {s}</label>)}
        </fieldset>
        <label>Expires <select name="expires" value={expires} onChange={(e) => setExpires(e.currentTarget.value)}>{['30d', '90d', '365d', 'never'].map((x) => <option value={x}>{x}</option>)}</select></label>
        <button type="submit">Create token</button>
      </form>
      {made ? (
        <p class="new-token" data-testid="new-token">Token “{made.name}”, shown only now: <code>{made.token}</code></p>
      ) : null}
      <Problem error={error ?? list.error} />
      <div class="scroll">
        <table data-testid="tokens">
          <thead><tr><th>Name</th><th>Scopes</th><th>Created</th><th>Last used</th><th>Expires</th><th>State</th><th /></tr></thead>
          <tbody>
            {(list.data ?? []).map((t) => (
              <tr key={t.id} data-state={t.revokedAt ? 'revoked' : 'active'}>
                <td>{t.name} <code>{t.id}</code></td>
                <td>{t.scopes.join(', ')}</td>
                <td>{day(t.createdAt)} by {t.createdBy}</td>
                <td>{t.lastUsedAt ? t.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never'}</td>
                <td>{t.expiresAt ? day(t.expiresAt) : 'never'}</td>
                <td>{t.revokedAt ? `revoked ${day(t.revokedAt)}` : 'active'}</td>
                <td>{t.revokedAt ? null : <button type="button" class="secondary" onClick={() => run(() => revokeToken(t.id), list.reload)}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function Users(props: { me: string }) {
  const list = useLoad(users, []);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setNewRole] = useState('viewer');
  const [error, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    run(() => createUser(username, password, role), () => { setUsername(''); setPassword(''); list.reload(); });
  };
  return (
    <Section title="Users">
      <form class="settings-form" onSubmit={submit} aria-label="New user">
        <label>User <input name="newUsername" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required /></label>
        <label>Password <input type="password" name="newUserPassword" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required /></label>
        <label>Role <select name="role" value={role} onChange={(e) => setNewRole(e.currentTarget.value)}>{ROLES.map((r) => <option value={r}>{r}</option>)}</select></label>
        <button type="submit">Add user</button>
      </form>
      <Problem error={error ?? list.error} />
      <table data-testid="users">
        <thead><tr><th>User</th><th>Role</th><th>Created</th><th /></tr></thead>
        <tbody>
          {(list.data ?? []).map((u) => (
            <tr key={u.username}>
              <td>{u.username}</td>
              <td>
                <select aria-label={`role of ${u.username}`} value={u.role} onChange={(e) => run(() => setRole(u.username, e.currentTarget.value), list.reload)}>
                  {ROLES.map((r) => <option value={r}>{r}</option>)}
                </select>
              </td>
              <td>{day(u.createdAt)}</td>
              <td>{u.username === props.me ? null : <button type="button" class="secondary" onClick={() => run(() => deleteUser(u.username), list.reload)}>Delete</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

export function SettingsPage(props: { me: Me }) {
  const admin = props.me.scopes.includes('admin');
  return (
    <main>
      <h1>Settings</h1>
      {props.me.via === 'session' ? <OwnPassword /> : null}
      {admin ? <Tokens /> : <p class="empty">Only admins manage API tokens and users.</p>}
      {admin ? <Users me={props.me.username} /> : null}
    </main>
  );
}
