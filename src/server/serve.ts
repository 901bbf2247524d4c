/**
 * Lifecycle of `telltale serve`: bind the app, run background components (scrapes, rule evaluation,
 * probes), and shut down gracefully — stop accepting requests, stop the components, then close the
 * stores so everything acknowledged is on disk.
 */
import type { FastifyInstance } from 'fastify';
import { TelltaleError } from '../errors.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** A background part of the server: started after the app listens, stopped (in reverse order) before the stores close. */
export interface Component {
  name: string;
  start?(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** Parses `HOST:PORT`, `[::1]:PORT` or `:PORT` (loopback). Throws TT_SERVE_CONFIG naming the flag. */
export function parseListen(value: string, field = '--listen'): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) throw new TelltaleError('TT_SERVE_CONFIG', `${field}: expected HOST:PORT (e.g. 127.0.0.1:7070), got ${JSON.stringify(value)}`, { field });
  const port = Number(m[3]);
  if (port > 65535) throw new TelltaleError('TT_SERVE_CONFIG', `${field}: port ${port} is out of range`, { field });
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]);
  return { host, port };
}

export interface RunningServer {
  app: FastifyInstance;
  /** the bound address, e.g. http://127.0.0.1:7070 */
  url: string;
  port: number;
  /** Stops everything once; later calls wait for the first. */
  close(): Promise<void>;
}

export async function startServer(app: FastifyInstance, listen: ListenAddress, components: Component[]): Promise<RunningServer> {
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new TelltaleError('TT_SERVE_CONFIG', `cannot listen on ${listen.host}:${listen.port}: ${why}`, { field: '--listen', cause: err });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const started: Component[] = [];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close();
      for (const c of [...started].reverse()) {
        try {
          await c.stop();
        } catch (err) {
          app.log.error({ err, component: c.name }, 'component failed to stop');
        }
      }
    })();
    return closing;
  };
  try {
    for (const c of components) {
      await c.start?.();
      started.push(c);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { app, url: `http://${host}:${port}`, port, close };
}
