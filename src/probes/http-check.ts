/**
 * The HTTP API check: one request (following redirects up to the limit), then its assertions. Sources:
 *   statusCode          the final response's status
 *   header  (property)  a response header, by case-insensitive name
 *   jsonBody (property) a JSON path into the body parsed as JSON (see json-path.ts)
 *   textBody            the body as UTF-8 text
 *   responseTime        the whole request in milliseconds, redirects included
 * Without a statusCode assertion the status must be 2xx (or 3xx when redirects are not followed), which is
 * blackbox_exporter's default.
 */
import { evaluateAssertions, NOT_FOUND, resolveJsonPath, type Actual, type CompiledAssertion } from './assertions.ts';
import type { HttpCheck } from './check-types.ts';
import { HttpProbeError, performHttpRequest, type HttpExchange } from './http-request.ts';
import type { ProbeOutcome } from './result-types.ts';
import { verdict, type ProbeContext } from './verdict.ts';

export async function runHttpCheck(def: HttpCheck, ctx: ProbeContext): Promise<ProbeOutcome> {
  const start = ctx.elapsed();
  let exchange: HttpExchange;
  try {
    exchange = await performHttpRequest(def.request, ctx);
  } catch (err) {
    const durationMs = ctx.elapsed() - start;
    if (!(err instanceof HttpProbeError)) return verdict(def, { error: (err as Error).message, durationMs, assertions: [] });
    // No response, but the phases reached tell where it failed (blackbox reports them the same way).
    return verdict(def, {
      error: err.message,
      durationMs,
      assertions: [],
      http: {
        statusCode: 0, httpVersion: '', contentLength: -1, bodyLength: 0, redirects: err.redirects, finalUrl: err.finalUrl, phases: err.phases, ssl: err.ssl,
        ...(err.certificate === undefined ? {} : { certificate: err.certificate }),
      },
    });
  }
  const durationMs = ctx.elapsed() - start;
  const text = exchange.body.toString('utf8');
  let json: Actual | undefined;
  const resolve = (a: CompiledAssertion): Actual => {
    switch (a.source) {
      case 'statusCode':
        return { found: true, value: exchange.status };
      case 'header': {
        const v = exchange.headers[(a.property ?? '').toLowerCase()];
        return v === undefined ? NOT_FOUND : { found: true, value: v };
      }
      case 'jsonBody':
        json ??= parseJson(text);
        return resolveJsonPath(a.path, json);
      case 'textBody':
        return { found: true, value: text };
      case 'responseTime':
        return { found: true, value: Math.round(durationMs) };
      default:
        return NOT_FOUND;
    }
  };
  const assertions = evaluateAssertions(def.assertions, resolve);
  const failures: string[] = [];
  if (!def.assertions.some((a) => a.source === 'statusCode')) {
    const okStatus = exchange.status >= 200 && exchange.status < (def.request.followRedirects ? 300 : 400);
    if (!okStatus) failures.push(`status ${exchange.status} ${exchange.statusText} is not ${def.request.followRedirects ? '2xx' : '2xx or 3xx'} (add a statusCode assertion to expect it)`);
  }
  if (def.assertions.some((a) => a.source === 'jsonBody') && json !== undefined && !json.found) {
    failures.push('the response body is not JSON');
  }
  return verdict(def, {
    durationMs,
    assertions,
    failures,
    http: {
      statusCode: exchange.status,
      httpVersion: exchange.httpVersion,
      contentLength: exchange.contentLength,
      bodyLength: exchange.body.length,
      redirects: exchange.redirects,
      finalUrl: exchange.finalUrl,
      phases: exchange.phases,
      ssl: exchange.ssl,
      ...(exchange.certificate === undefined ? {} : { certificate: exchange.certificate }),
    },
  });
}

function parseJson(text: string): Actual {
  try {
    return { found: true, value: JSON.parse(text) as unknown };
  } catch {
    return NOT_FOUND;
  }
}
