/**
 * Content negotiation for scrapes, as Prometheus' scraper does it: the Accept header prefers OpenMetrics and
 * falls back to the text format; the parser is chosen from the response's Content-Type, and anything that is
 * not OpenMetrics (a missing or unparseable header included) is read as the text format 0.0.4.
 */
import type { ExpositionFormat } from './exposition-parser.ts';

/** The Accept header Prometheus 2.x sends on every scrape (without the protobuf format, which is opt-in there). */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The exposition format a response's Content-Type announces. */
export function formatForContentType(contentType: string | null | undefined): ExpositionFormat {
  if (!contentType) return 'prometheus-text';
  const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
  return mediaType === 'application/openmetrics-text' ? 'openmetrics' : 'prometheus-text';
}
