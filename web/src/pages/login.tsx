/** The login page, shown whenever the server answers 401 (no session, or it expired). */
import { useState } from 'preact/hooks';
import { login, type Me } from '../api.ts';

export function LoginPage(props: { onLogin: (me: Me) => void }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onLogin(await login(username, password));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="login-form card" onSubmit={submit} aria-label="Log in">
        <h1>Telltale</h1>
        <label>User <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required autofocus /></label>
        {error ? <p class="error" role="alert" data-testid="login-error">{error}</p> : null}
        <button type="submit" disabled={busy}>Log in</button>
        <p class="hint">On first start the server creates <code>admin</code>; its password is printed by <code>telltale serve</code> and kept in <code>admin-password</code> in the data directory.</p>
      </form>
    </main>
  );
}
