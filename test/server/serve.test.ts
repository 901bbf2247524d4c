import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildApp } from '../../src/server/app.ts';
import { parseListen, startServer } from '../../src/server/serve.ts';

describe('parseListen', () => {
  it('takes host:port, [v6]:port and :port', () => {
    expect(parseListen('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen(':9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseListen('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });

  it('refuses anything else with the flag named', () => {
    for (const bad of ['', '7070', '127.0.0.1', '127.0.0.1:', '1.2.3.4:70000', '::1:80', 'a:b']) {
      expect(() => parseListen(bad), bad).toThrow(/--listen/);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const a = parseListen(s);
          expect(a.port).toBeGreaterThanOrEqual(0);
          expect(a.port).toBeLessThanOrEqual(65535);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('TT_SERVE_CONFIG');
        }
      }),
    );
  });
});

describe('startServer', () => {
  it('starts components after listening and stops them in reverse order on close', async () => {
    const events: string[] = [];
    const app = await buildApp();
    const server = await startServer(app, { host: '127.0.0.1', port: 0 }, [
      { name: 'a', start: () => void events.push('start a'), stop: () => void events.push('stop a') },
      { name: 'b', start: () => void events.push('start b'), stop: () => void events.push('stop b') },
    ]);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    expect(events).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('names the address when it is taken', async () => {
    const first = await startServer(await buildApp(), { host: '127.0.0.1', port: 0 }, []);
    try {
      await expect(startServer(await buildApp(), { host: '127.0.0.1', port: first.port }, [])).rejects.toThrow(/already in use/);
    } finally {
      await first.close();
    }
  });

  it('stops the components already started when a later one fails to start', async () => {
    const events: string[] = [];
    const app = await buildApp();
    await expect(
      startServer(app, { host: '127.0.0.1', port: 0 }, [
        { name: 'a', stop: () => void events.push('stop a') },
        { name: 'b', start: () => { throw new Error('no'); }, stop: () => void events.push('stop b') },
      ]),
    ).rejects.toThrow('no');
    expect(events).toEqual(['stop a']);
  });
});
