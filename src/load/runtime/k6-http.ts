/**
 * The `k6/http` module. Every request returns a promise of a k6-shaped response: `await http.get(url)`.
 */
import { currentVu, getRuntime, requireVu, vuTags, type VuState } from './context.ts';
import {
  CookieJar,
  urlTemplate,
  expectedStatuses as makeExpectedStatuses,
  type ExpectedStatuses,
  type Params,
  type RequestBody,
  type BatchRequest,
  type HttpUrl,
} from '../http/index.ts';
import { file as makeFile, setPageActions } from '../http/index.ts';
import { pageActions } from './k6-http-page.ts';

function ctxOf(vu: VuState) {
  const ctx = vu.request;
  ctx.baseTags = vuTags(vu);
  ctx.signal = vu.signal;
  return ctx;
}

export function request(method: string, url: string | HttpUrl, body?: RequestBody | null, params?: Params) {
  const vu = requireVu('http.request()');
  return vu.http.request(String(method).toUpperCase(), url, body, params, ctxOf(vu));
}

export function get(url: string | HttpUrl, params?: Params) {
  const vu = requireVu('http.get()');
  return vu.http.request('GET', url, null, params, ctxOf(vu));
}

export function head(url: string | HttpUrl, params?: Params) {
  const vu = requireVu('http.head()');
  return vu.http.request('HEAD', url, null, params, ctxOf(vu));
}

export function post(url: string | HttpUrl, body?: RequestBody | null, params?: Params) {
  const vu = requireVu('http.post()');
  return vu.http.request('POST', url, body, params, ctxOf(vu));
}

export function put(url: string | HttpUrl, body?: RequestBody | null, params?: Params) {
  const vu = requireVu('http.put()');
  return vu.http.request('PUT', url, body, params, ctxOf(vu));
}

export function patch(url: string | HttpUrl, body?: RequestBody | null, params?: Params) {
  const vu = requireVu('http.patch()');
  return vu.http.request('PATCH', url, body, params, ctxOf(vu));
}

export function del(url: string | HttpUrl, body?: RequestBody | null, params?: Params) {
  const vu = requireVu('http.del()');
  return vu.http.request('DELETE', url, body, params, ctxOf(vu));
}

export function options(url: string | HttpUrl, body?: RequestBody | null, params?: Params) {
  const vu = requireVu('http.options()');
  return vu.http.request('OPTIONS', url, body, params, ctxOf(vu));
}

export function batch(requests: BatchRequest[] | Record<string, BatchRequest>) {
  const vu = requireVu('http.batch()');
  return vu.http.batch(requests, ctxOf(vu));
}

/**
 * Sets which responses count as expected (http_req_failed, expected_response). In the init context it
 * applies to the VU being initialized (every VU runs the init code), inside a VU function to that VU.
 */
export function setResponseCallback(callback: ExpectedStatuses | null): void {
  const vu = currentVu();
  if (vu) vu.http.setResponseCallback(callback);
  else getRuntime().initResponseCallback = callback;
}

/** The VU's cookie jar: what every request uses unless params.jar names another. Emptied at each iteration's start. */
export function cookieJar(): CookieJar {
  return requireVu('http.cookieJar()').http.cookieJar;
}

export { CookieJar };

export const url = urlTemplate;
export const expectedStatuses = makeExpectedStatuses;
/** `http.file(data, filename?, contentType?)`: a file for a multipart/form-data body. */
export const file = makeFile;

// Response.html(), submitForm() and clickLink() parse the body and make their requests as the calling VU.
setPageActions(pageActions(request));

export default { request, get, head, post, put, patch, del, options, batch, url, expectedStatuses, setResponseCallback, cookieJar, CookieJar, file };
