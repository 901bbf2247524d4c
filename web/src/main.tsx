import { render } from 'preact';
import { services } from './api.ts';
import { App } from './app.tsx';
import './styles.css';

// every page starts from the services; ask while the page's own code is still loading
services().catch(() => undefined);
render(<App />, document.getElementById('app') as HTMLElement);
