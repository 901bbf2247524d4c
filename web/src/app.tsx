/** The dashboard's frame: the login page until there is a session, then navigation and the page for the current path. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, logout, me as fetchMe, onUnauthorized, type Me } from './api.ts';
import { LoginPage } from './pages/login.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { ChecksPage } from './pages/checks.tsx';
import { Lazy } from './lazy.tsx';
import { Overview } from './pages/overview.tsx';
import { Link, match, useLocation } from './router.tsx';

// the pages that draw charts, each loaded (with uPlot) on first visit
const servicePage = () => import('./pages/service.tsx').then((m) => m.ServicePage);
const runsPage = () => import('./pages/runs.tsx').then((m) => m.RunsPage);
const runPage = () => import('./pages/runs.tsx').then((m) => m.RunPage);
const comparePage = () => import('./pages/runs.tsx').then((m) => m.ComparePage);
const explorePage = () => import('./pages/explore.tsx').then((m) => m.ExplorePage);
const settingsPage = () => import('./pages/settings.tsx').then((m) => m.SettingsPage);

const NAV: Array<[string, string]> = [['/', 'Overview'], ['/alerts', 'Alerts'], ['/checks', 'Checks'], ['/runs', 'Load runs'], ['/explore', 'Explore']];

function Page(props: { path: string; me: Me }) {
  const p = props.path.replace(/\/+$/, '') || '/';
  let m: Record<string, string> | null;
  if (p === '/' || p === '/services') return <Overview />;
  if ((m = match('/services/:name', p))) return <Lazy key={p} load={servicePage} props={{ name: m.name }} />;
  if (p === '/alerts') return <AlertsPage />;
  if (p === '/checks') return <ChecksPage />;
  if (p === '/runs') return <Lazy load={runsPage} props={{}} />;
  if ((m = match('/runs/:a/compare/:b', p))) return <Lazy key={p} load={comparePage} props={{ a: m.a, b: m.b }} />;
  if ((m = match('/runs/:id', p))) return <Lazy key={p} load={runPage} props={{ id: m.id }} />;
  if (p === '/explore') return <Lazy load={explorePage} props={{}} />;
  if (p === '/settings') return <Lazy load={settingsPage} props={{ me: props.me }} />;
  return <main><h1>Not found</h1><p>No page at {p}.</p></main>;
}

export function App() {
  const { path } = useLocation();
  // undefined while asking the server who we are; null when a login is needed
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    fetchMe().then(setMe, (err: unknown) => (err instanceof ApiError && err.status === 401 ? setMe(null) : setProblem((err as Error).message)));
    return onUnauthorized(() => setMe(null));
  }, []);
  const section = (href: string) => (href === '/' ? path === '/' || path.startsWith('/services') : path.startsWith(href));
  if (problem !== null) return <main><h1>Telltale</h1><p>The server cannot be reached: {problem}</p></main>;
  if (me === undefined) return null;
  if (me === null) return <LoginPage onLogin={setMe} />;
  const signOut = () => void logout().finally(() => setMe(null));
  return (
    <>
      <nav class="top">
        <Link href="/" class="brand">Telltale</Link>
        <ul>
          {NAV.map(([href, label]) => (
            <li key={href}><Link href={href} class={section(href) ? 'active' : ''}>{label}</Link></li>
          ))}
        </ul>
        {me.via === 'session' ? (
          <span class="account" data-testid="account"><Link href="/settings" class={path === '/settings' ? 'active' : ''}>{me.username} · {me.role}</Link><button type="button" class="secondary" onClick={signOut}>Log out</button></span>
        ) : null}
      </nav>
      <Page path={path} me={me} />
    </>
  );
}
