/**
 * The DNS check: one query through node:dns (c-ares, one try, the check's timeout), against the configured
 * server or the system's resolvers. Sources:
 *   responseCode  NOERROR, NXDOMAIN, SERVFAIL, REFUSED, NOTIMP, FORMERR
 *   answers       the answers as text: an address, a name, "10 mail.example.com" (MX), a TXT record's
 *                 strings joined; `contains` asks for one exact answer, `matches` for one that matches
 *   answerCount   how many answers
 *   responseTime  milliseconds for the lookup
 * Without a responseCode assertion, any code but NOERROR fails the check (blackbox_exporter's valid_rcodes
 * default). An empty NOERROR answer passes unless an assertion (answerCount greaterThan 0) says otherwise.
 */
import { promises as dns } from 'node:dns';
import { evaluateAssertions, NOT_FOUND, type Actual, type CompiledAssertion } from './assertions.ts';
import type { DnsCheck } from './check-types.ts';
import type { DnsDetails, ProbeOutcome } from './result-types.ts';
import { describeError, verdict, type ProbeContext } from './verdict.ts';

/** c-ares error codes that are DNS answers rather than failures to get one. */
const RCODES: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NOERROR',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ENOTIMP: 'NOTIMP',
  EFORMERR: 'FORMERR',
};

export async function runDnsCheck(def: DnsCheck, ctx: ProbeContext): Promise<ProbeOutcome> {
  const resolver = new dns.Resolver({ timeout: Math.max(1, Math.round(def.timeoutMs)), tries: 1 });
  const start = ctx.elapsed();
  let details: DnsDetails;
  const onAbort = () => resolver.cancel();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (def.server !== undefined) resolver.setServers([def.server]);
    let answers: string[] = [];
    let responseCode = 'NOERROR';
    try {
      answers = await query(resolver, def);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (ctx.signal.aborted || !(code in RCODES)) throw err;
      responseCode = RCODES[code];
    }
    details = { lookupMs: ctx.elapsed() - start, responseCode, answers };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ETIMEOUT' ? `no answer from ${def.server ?? 'the resolver'} within ${def.timeoutMs}ms`
      : code === 'EBADRESP' ? `${def.server ?? 'the resolver'} sent a malformed DNS response`
        : code === 'ECONNREFUSED' ? `${def.server ?? 'the resolver'} refused the connection`
          : describeError(err, ctx.signal);
    return verdict(def, { error: message, durationMs: ctx.elapsed() - start, assertions: [] });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const durationMs = details.lookupMs;
  const resolve = (a: CompiledAssertion): Actual => {
    switch (a.source) {
      case 'responseCode':
        return { found: true, value: details.responseCode };
      case 'answers':
        return { found: true, value: details.answers };
      case 'answerCount':
        return { found: true, value: details.answers.length };
      case 'responseTime':
        return { found: true, value: Math.round(durationMs) };
      default:
        return NOT_FOUND;
    }
  };
  const failures: string[] = [];
  if (details.responseCode !== 'NOERROR' && !def.assertions.some((a) => a.source === 'responseCode')) {
    failures.push(`${def.query} ${def.recordType}: response code ${details.responseCode} (add a responseCode assertion to expect it)`);
  }
  return verdict(def, { durationMs, assertions: evaluateAssertions(def.assertions, resolve), failures, dns: details });
}

async function query(resolver: dns.Resolver, def: DnsCheck): Promise<string[]> {
  switch (def.recordType) {
    case 'A':
      return resolver.resolve4(def.query);
    case 'AAAA':
      return resolver.resolve6(def.query);
    case 'CNAME':
      return resolver.resolveCname(def.query);
    case 'NS':
      return resolver.resolveNs(def.query);
    case 'MX':
      return (await resolver.resolveMx(def.query)).map((r) => `${r.priority} ${r.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(def.query)).map((chunks) => chunks.join(''));
    default:
      return [];
  }
}
