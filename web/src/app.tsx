/** The dashboard's frame: navigation and the page for the current path. */
import { AlertsPage } from './pages/alerts.tsx';
import { ChecksPage } from './pages/checks.tsx';
import { ExplorePage } from './pages/explore.tsx';
import { Overview } from './pages/overview.tsx';
import { ComparePage, RunPage, RunsPage } from './pages/runs.tsx';
import { ServicePage } from './pages/service.tsx';
import { Link, match, useLocation } from './router.tsx';

const NAV: Array<[string, string]> = [['/', 'Overview'], ['/alerts', 'Alerts'], ['/checks', 'Checks'], ['/runs', 'Load runs'], ['/explore', 'Explore']];

function Page(props: { path: string }) {
  const p = props.path.replace(/\/+$/, '') || '/';
  let m: Record<string, string> | null;
  if (p === '/' || p === '/services') return <Overview />;
  if ((m = match('/services/:name', p))) return <ServicePage name={m.name} />;
  if (p === '/alerts') return <AlertsPage />;
  if (p === '/checks') return <ChecksPage />;
  if (p === '/runs') return <RunsPage />;
  if ((m = match('/runs/:a/compare/:b', p))) return <ComparePage a={m.a} b={m.b} />;
  if ((m = match('/runs/:id', p))) return <RunPage id={m.id} />;
  if (p === '/explore') return <ExplorePage />;
  return <main><h1>Not found</h1><p>No page at {p}.</p></main>;
}

export function App() {
  const { path } = useLocation();
  const section = (href: string) => (href === '/' ? path === '/' || path.startsWith('/services') : path.startsWith(href));
  return (
    <>
      <nav class="top">
        <Link href="/" class="brand">Telltale</Link>
        <ul>
          {NAV.map(([href, label]) => (
            <li key={href}><Link href={href} class={section(href) ? 'active' : ''}>{label}</Link></li>
          ))}
        </ul>
      </nav>
      <Page path={path} />
    </>
  );
}
