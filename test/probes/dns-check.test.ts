import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from './dns-server.ts';
import { probe } from './helpers.ts';

let dns: DnsServer;
let server: string;

beforeAll(async () => {
  dns = await startDnsServer({
    'app.test': { A: ['10.0.0.1', '10.0.0.2'], AAAA: ['2001:db8::1'] },
    'txt.test': { TXT: ['v=spf1 -all', ['long-', 'record']] },
    'mail.test': { MX: [[10, 'mx1.mail.test'], [20, 'mx2.mail.test']] },
    'www.test': { CNAME: 'app.test' },
    'broken.test': { rcode: 2 },
    'refused.test': { rcode: 5 },
    'garbage.test': 'malformed',
    'silent.test': 'silent',
  });
  server = `127.0.0.1:${dns.port}`;
});
afterAll(() => dns.close());

describe('DNS check against a local UDP responder', () => {
  it('resolves A records and asserts on the answers', async () => {
    const r = await probe({
      type: 'dns', query: 'app.test', recordType: 'A', server,
      assertions: [
        { source: 'answers', comparison: 'contains', target: '10.0.0.2' },
        { source: 'answers', comparison: 'matches', target: '^10\\.0\\.0\\.1$' },
        { source: 'answerCount', comparison: 'equals', target: 2 },
        { source: 'responseCode', comparison: 'equals', target: 'NOERROR' },
        { source: 'responseTime', comparison: 'lessThan', target: 2000 },
      ],
    });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('passed');
    expect(r.dns).toMatchObject({ responseCode: 'NOERROR', answers: ['10.0.0.1', '10.0.0.2'] });
    expect(r.dns!.lookupMs).toBeGreaterThan(0);
    expect(dns.queries).toContain('app.test A');
  });

  it('resolves AAAA records', async () => {
    const r = await probe({ type: 'dns', query: 'app.test', recordType: 'AAAA', server, assertions: [{ source: 'answers', comparison: 'equals', target: ['2001:db8::1'] }] });
    expect(r.failures).toEqual([]);
  });

  it('resolves TXT (strings joined), MX and CNAME records', async () => {
    const txt = await probe({ type: 'dns', query: 'txt.test', recordType: 'TXT', server, assertions: [{ source: 'answers', comparison: 'contains', target: 'long-record' }] });
    expect(txt.failures).toEqual([]);
    expect(txt.dns!.answers).toEqual(['v=spf1 -all', 'long-record']);
    const mx = await probe({ type: 'dns', query: 'mail.test', recordType: 'MX', server });
    expect(mx.dns!.answers.sort()).toEqual(['10 mx1.mail.test', '20 mx2.mail.test']);
    const cname = await probe({ type: 'dns', query: 'www.test', recordType: 'CNAME', server, assertions: [{ source: 'answers', comparison: 'equals', target: ['app.test'] }] });
    expect(cname.failures).toEqual([]);
  });

  it('fails on a wrong answer, listing what came', async () => {
    const r = await probe({ type: 'dns', query: 'app.test', server, assertions: [{ source: 'answers', comparison: 'contains', target: '10.9.9.9' }] });
    expect(r.status).toBe('failed');
    expect(r.failures).toEqual(['expected answers to contain "10.9.9.9", got ["10.0.0.1","10.0.0.2"]']);
  });

  it('fails on NXDOMAIN and SERVFAIL unless a responseCode assertion expects them', async () => {
    const nx = await probe({ type: 'dns', query: 'nowhere.test', server });
    expect(nx.status).toBe('failed');
    expect(nx.dns!.responseCode).toBe('NXDOMAIN');
    expect(nx.failures).toEqual(['nowhere.test A: response code NXDOMAIN (add a responseCode assertion to expect it)']);
    const expected = await probe({ type: 'dns', query: 'nowhere.test', server, assertions: [{ source: 'responseCode', comparison: 'equals', target: 'NXDOMAIN' }] });
    expect(expected.status).toBe('passed');
    const servfail = await probe({ type: 'dns', query: 'broken.test', server });
    expect(servfail.dns!.responseCode).toBe('SERVFAIL');
    const refused = await probe({ type: 'dns', query: 'refused.test', server });
    expect(refused.dns!.responseCode).toBe('REFUSED');
  });

  it('an empty NOERROR answer passes unless answerCount is asserted', async () => {
    const empty = await probe({ type: 'dns', query: 'app.test', recordType: 'TXT', server });
    expect(empty.status).toBe('passed');
    expect(empty.dns).toMatchObject({ responseCode: 'NOERROR', answers: [] });
    const counted = await probe({ type: 'dns', query: 'app.test', recordType: 'TXT', server, assertions: [{ source: 'answerCount', comparison: 'greaterThan', target: 0 }] });
    expect(counted.status).toBe('failed');
  });

  it('a malformed response and a server that never answers fail with a reason', async () => {
    const bad = await probe({ type: 'dns', query: 'garbage.test', server, timeout: '1s' });
    expect(bad.status).toBe('failed');
    expect(bad.error).toBe(`${server} sent a malformed DNS response`);
    const silent = await probe({ type: 'dns', query: 'silent.test', server, timeout: '300ms' });
    expect(silent.status).toBe('failed');
    expect(silent.error).toMatch(/no answer from 127\.0\.0\.1:\d+ within 300ms|timed out after 300ms/);
  });
});
