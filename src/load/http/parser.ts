/**
 * Incremental HTTP/1.1 response parser. It keeps no copy of what it reads: the head is handed out as a range of
 * the buffer it arrived in (decoded into header pairs only when a script reads them) and body bytes as ranges
 * of the socket's chunks. A head split across chunks is joined once, when its end is seen.
 *
 * What it accepts follows Go's net/http client (k6's), since scripts see the same outcome for the same bytes:
 * status lines with or without a reason, obs-fold continuation lines, Content-Length (repeats must agree),
 * chunked bodies with extensions and trailers, bodies delimited by the connection closing, no body for HEAD,
 * 1xx, 204 and 304, 1xx responses other than 101 skipped, HTTP/1.0 closing unless it asks for keep-alive.
 * Everything else is an error with Go's wording, never an exception.
 */

/** What a body goes to. */
export interface BodySink {
  onBody(buf: Buffer, start: number, end: number): void;
}

/** execute() results below 0; 0 and above is a complete response ending at that offset. */
export const NEED_MORE = -1;
export const FAILED = -2;

/** Go's transport allows 10 MiB of response head; this bounds what one connection buffers at far less. */
export const MAX_HEAD_BYTES = 1 << 20;
/** Go's limit for a chunk-size line. */
const MAX_CHUNK_LINE = 4096;
/** 13 hex digits stay below 2^53. */
const MAX_CHUNK_DIGITS = 13;
/** 15 decimal digits stay below 2^53. */
const MAX_LENGTH_DIGITS = 15;

const S_HEAD = 0;
const S_LENGTH = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_DATA = 3;
const S_CHUNK_END = 4;
const S_TRAILERS = 5;
const S_UNTIL_CLOSE = 6;
const S_DONE = 7;

// Sub-states of a chunk-size line.
const C_DIGITS = 0;
const C_SPACE = 1;
const C_EXT = 2;
const C_CR = 3;

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;

/** RFC 9110 tchar, the bytes of a header name. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

/** Hex digit values, 255 for anything else. */
const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

/** A response the parser could not make sense of; k6 reports it as error code 1000 with this message. */
export class MalformedResponseError extends Error {
  readonly code = 'ERR_MALFORMED_RESPONSE';

  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/** Go's %q, short: enough of the offending bytes to recognize them. */
function quote(buf: Buffer, start: number, end: number): string {
  const cut = Math.min(end, start + 80);
  return JSON.stringify(buf.toString('latin1', start, cut)) + (cut < end ? '...' : '');
}

export class ResponseParser {
  /** Set by execute() when it returns FAILED. */
  error: MalformedResponseError | null = null;

  // The final response, valid once execute() has returned a completion.
  status = 0;
  /** `200 OK`: the status line after the version, as Go's Response.Status. */
  statusText = '';
  /** False when the connection must be closed after this response. */
  keepAlive = true;
  /** The final response has a Content-Encoding header: its body may need decoding. */
  encoded = false;
  /** The final response has a Set-Cookie header: checked here so responses without one cost nothing more. */
  setCookie = false;
  /** The header lines (status line and final blank line excluded) are head[headStart, headEnd). */
  head: Buffer | null = null;
  headStart = 0;
  headEnd = 0;

  #state: number = S_DONE;
  #noBody = false;
  #remaining = 0;
  /** Bytes of the head or trailer section seen so far, and of the line being read. */
  #sectionBytes = 0;
  #lineLen = 0;
  #lines = 0;
  /** Head pieces received before the chunk that completes it. */
  #pending: Buffer[] = [];
  #chunkPhase: number = C_DIGITS;
  #chunkDigits = 0;
  #chunkLine = 0;
  #lastStatusText = '';

  /** Prepares for the response to a new request; `noBody` for HEAD. */
  start(noBody: boolean): void {
    this.#state = S_HEAD;
    this.#noBody = noBody;
    this.error = null;
    this.status = 0;
    this.keepAlive = true;
    this.encoded = false;
    this.setCookie = false;
    this.head = null;
    this.#sectionBytes = 0;
    this.#lineLen = 0;
    this.#lines = 0;
    if (this.#pending.length !== 0) this.#pending = [];
  }

  /**
   * Feeds buf[start..]. Returns NEED_MORE when every byte was consumed and the response is not complete,
   * FAILED (see `error`), or the offset just past the end of the response; bytes from there on belong to
   * nothing (there is one request at a time).
   */
  execute(buf: Buffer, start: number, sink: BodySink): number {
    const end = buf.length;
    let pos = start;
    while (true) {
      switch (this.#state) {
        case S_HEAD:
          pos = this.#readHead(buf, pos, end);
          if (pos < 0) return pos;
          // A head without a body ends the response; after an interim response the loop reads the next head.
          if ((this.#state as number) === S_DONE) return pos;
          break;
        case S_LENGTH: {
          if (pos === end) return NEED_MORE;
          const n = Math.min(this.#remaining, end - pos);
          sink.onBody(buf, pos, pos + n);
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) return this.#done(pos);
          return NEED_MORE;
        }
        case S_UNTIL_CLOSE:
          if (pos < end) sink.onBody(buf, pos, end);
          return NEED_MORE;
        case S_CHUNK_SIZE:
          pos = this.#readChunkSize(buf, pos, end);
          if (pos < 0) return pos;
          break;
        case S_CHUNK_DATA: {
          if (pos === end) return NEED_MORE;
          const n = Math.min(this.#remaining, end - pos);
          sink.onBody(buf, pos, pos + n);
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = S_CHUNK_END;
            this.#chunkPhase = C_DIGITS;
          }
          break;
        }
        case S_CHUNK_END:
          pos = this.#readChunkEnd(buf, pos, end);
          if (pos < 0) return pos;
          break;
        case S_TRAILERS:
          pos = this.#readTrailers(buf, pos, end);
          if (pos < 0) return pos;
          return this.#done(pos);
        default:
          return this.#fail('response data after the end of the response');
      }
    }
  }

  /**
   * The connection reached EOF. Returns 0 when that completes the response (a body delimited by close),
   * else FAILED with `error` unset: the caller reports EOF or unexpected EOF, as Go does.
   */
  finish(): number {
    if (this.#state === S_UNTIL_CLOSE) {
      this.#state = S_DONE;
      this.keepAlive = false;
      return 0;
    }
    return FAILED;
  }

  #done(pos: number): number {
    this.#state = S_DONE;
    return pos;
  }

  #fail(message: string): number {
    this.error = new MalformedResponseError(message);
    this.#state = S_DONE;
    if (this.#pending.length !== 0) this.#pending = [];
    return FAILED;
  }

  /** Looks for the blank line ending the head; parses the head once it is complete. */
  #readHead(buf: Buffer, pos: number, end: number): number {
    let lineLen = this.#lineLen;
    let lines = this.#lines;
    let i = pos;
    let found = -1;
    for (; i < end; i++) {
      const c = buf[i];
      if (c === LF) {
        if (lineLen === 0) {
          if (lines === 0) return this.#fail('malformed HTTP response ""');
          found = i + 1;
          break;
        }
        lines++;
        lineLen = 0;
      } else if (c !== CR) {
        lineLen++;
      }
    }
    const seen = this.#sectionBytes + ((found === -1 ? end : found) - pos);
    if (seen > MAX_HEAD_BYTES) return this.#fail('net/http: server response headers exceeded the size limit');
    if (found === -1) {
      this.#lineLen = lineLen;
      this.#lines = lines;
      this.#sectionBytes = seen;
      if (pos < end) this.#pending.push(buf.subarray(pos, end));
      return NEED_MORE;
    }
    let head = buf;
    let headStart = pos;
    let headEnd = found;
    if (this.#pending.length !== 0) {
      this.#pending.push(buf.subarray(pos, found));
      head = Buffer.concat(this.#pending, seen);
      headStart = 0;
      headEnd = seen;
      this.#pending = [];
    }
    this.#lineLen = 0;
    this.#lines = 0;
    this.#sectionBytes = 0;
    if (!this.#parseHead(head, headStart, headEnd)) return FAILED;
    return found;
  }

  /** Parses a complete head, buf[start, end) ending with its blank line; false when malformed. */
  #parseHead(buf: Buffer, start: number, end: number): boolean {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    let eol = start;
    while (buf[eol] !== LF) eol++;
    const lineEnd = eol > start && buf[eol - 1] === CR ? eol - 1 : eol;
    let sp = start;
    while (sp < lineEnd && buf[sp] !== SP) sp++;
    if (sp === lineEnd) {
      this.#fail(`malformed HTTP response ${quote(buf, start, lineEnd)}`);
      return false;
    }
    if (
      sp - start !== 8 || buf[start] !== 72 || buf[start + 1] !== 84 || buf[start + 2] !== 84 || buf[start + 3] !== 80
      || buf[start + 4] !== 47 || buf[start + 5] !== 49 || buf[start + 6] !== 46 || buf[start + 7] < 48 || buf[start + 7] > 57
    ) {
      this.#fail(`malformed HTTP version ${quote(buf, start, sp)}`);
      return false;
    }
    const http10 = buf[start + 7] === 48;
    let s = sp + 1;
    while (s < lineEnd && buf[s] === SP) s++;
    const d0 = buf[s] - 48;
    const d1 = buf[s + 1] - 48;
    const d2 = buf[s + 2] - 48;
    if (
      lineEnd - s < 3 || d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (lineEnd - s > 3 && buf[s + 3] !== SP)
    ) {
      let codeEnd = s;
      while (codeEnd < lineEnd && buf[codeEnd] !== SP) codeEnd++;
      this.#fail(`malformed HTTP status code ${quote(buf, s, codeEnd)}`);
      return false;
    }
    const status = d0 * 100 + d1 * 10 + d2;

    // Header lines. Only the framing headers, and whether Content-Encoding and Set-Cookie are present, are looked
    // at here; the rest is decoded on demand.
    const headStart = eol + 1;
    let contentLength = -1;
    let chunked = false;
    let transferEncodings = 0;
    let connClose = false;
    let connKeepAlive = false;
    let encoded = false;
    let setCookie = false;
    let lastName = -1;
    let i = headStart;
    while (true) {
      const ls = i;
      while (i < end && buf[i] !== LF) i++;
      // The scan for the head's end counts a line of CRs as blank; here only CRLF is, so stay within the head.
      if (i >= end) {
        this.#fail(`malformed MIME header line: ${quote(buf, ls, end)}`);
        return false;
      }
      const le = i > ls && buf[i - 1] === CR ? i - 1 : i;
      i++;
      if (le === ls) break;
      const first = buf[ls];
      if (first === SP || first === HT) {
        if (lastName === -1) {
          this.#fail(`malformed MIME header initial line: ${quote(buf, ls, le)}`);
          return false;
        }
        if (!validValue(buf, ls, le)) {
          this.#fail(`malformed MIME header line: ${quote(buf, ls, le)}`);
          return false;
        }
        continue;
      }
      let colon = ls;
      while (colon < le && TOKEN[buf[colon]] === 1) colon++;
      if (colon === ls || colon === le || buf[colon] !== 58) {
        this.#fail(`malformed MIME header line: ${quote(buf, ls, le)}`);
        return false;
      }
      let vs = colon + 1;
      while (vs < le && (buf[vs] === SP || buf[vs] === HT)) vs++;
      let ve = le;
      while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
      if (!validValue(buf, vs, ve)) {
        this.#fail(`malformed MIME header line: ${quote(buf, ls, le)}`);
        return false;
      }
      lastName = ls;
      const nameLen = colon - ls;
      if (nameLen === 14 && nameIs(buf, ls, 'content-length')) {
        const n = parseLength(buf, vs, ve);
        if (n < 0 || (contentLength !== -1 && n !== contentLength)) {
          this.#fail(n < 0
            ? `bad Content-Length ${quote(buf, vs, ve)}`
            : 'http: message cannot contain multiple Content-Length headers');
          return false;
        }
        contentLength = n;
      } else if (nameLen === 17 && nameIs(buf, ls, 'transfer-encoding')) {
        transferEncodings++;
        chunked = ve - vs === 7 && nameIs(buf, vs, 'chunked');
        if (!http10 && (transferEncodings > 1 || !chunked)) {
          this.#fail(transferEncodings > 1
            ? 'too many transfer encodings'
            : `unsupported transfer encoding: ${quote(buf, vs, ve)}`);
          return false;
        }
      } else if (nameLen === 10 && nameIs(buf, ls, 'connection')) {
        const tokens = connectionTokens(buf, vs, ve);
        if ((tokens & 1) !== 0) connClose = true;
        if ((tokens & 2) !== 0) connKeepAlive = true;
      } else if (nameLen === 16 && nameIs(buf, ls, 'content-encoding')) {
        encoded = true;
      } else if (nameLen === 10 && nameIs(buf, ls, 'set-cookie')) {
        setCookie = true;
      }
    }

    if (status < 200 && status !== 101) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows on the same connection.
      return true;
    }
    this.status = status;
    this.statusText = this.#statusText(buf, s, lineEnd);
    this.head = buf;
    this.headStart = headStart;
    this.headEnd = end;
    this.keepAlive = http10 ? connKeepAlive && !connClose : !connClose;
    this.encoded = encoded;
    this.setCookie = setCookie;
    if (status === 101) this.keepAlive = false;
    if (this.#noBody || status === 204 || status === 304 || status === 101) {
      this.#state = S_DONE;
    } else if (chunked && !http10) {
      this.#state = S_CHUNK_SIZE;
      this.#chunkPhase = C_DIGITS;
      this.#chunkDigits = 0;
      this.#chunkLine = 0;
      this.#remaining = 0;
    } else if (contentLength >= 0) {
      this.#remaining = contentLength;
      this.#state = contentLength === 0 ? S_DONE : S_LENGTH;
    } else {
      this.#state = S_UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return true;
  }

  /** The status line after the version; the previous response's string when the bytes are the same. */
  #statusText(buf: Buffer, start: number, end: number): string {
    const last = this.#lastStatusText;
    if (last.length === end - start) {
      let same = true;
      for (let i = 0; i < last.length; i++) {
        const c = buf[start + i];
        if (c >= 0x80 || last.charCodeAt(i) !== c) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    const text = buf.toString('utf8', start, end);
    this.#lastStatusText = text;
    return text;
  }

  #readChunkSize(buf: Buffer, pos: number, end: number): number {
    let i = pos;
    let phase = this.#chunkPhase;
    let size = this.#remaining;
    let digits = this.#chunkDigits;
    for (; i < end; i++) {
      const c = buf[i];
      if (c === LF) break;
      switch (phase) {
        case C_DIGITS: {
          const h = HEX[c];
          if (h !== 255) {
            if (++digits > MAX_CHUNK_DIGITS) return this.#fail('http chunk length too large');
            size = size * 16 + h;
          } else if (c === SP || c === HT) {
            phase = C_SPACE;
          } else if (c === 59) {
            phase = C_EXT;
          } else if (c === CR) {
            phase = C_CR;
          } else {
            return this.#fail('invalid byte in chunk length');
          }
          break;
        }
        case C_SPACE:
          if (c === 59) phase = C_EXT;
          else if (c === CR) phase = C_CR;
          else if (c !== SP && c !== HT) return this.#fail('invalid byte in chunk length');
          break;
        case C_EXT:
          if (c === CR) phase = C_CR;
          else if (c === 0) return this.#fail('invalid byte in chunk extension');
          break;
        default:
          return this.#fail('malformed chunked encoding');
      }
    }
    this.#chunkLine += i - pos;
    if (this.#chunkLine > MAX_CHUNK_LINE) return this.#fail('header line too long');
    if (i === end) {
      this.#chunkPhase = phase;
      this.#remaining = size;
      this.#chunkDigits = digits;
      return NEED_MORE;
    }
    if (digits === 0) return this.#fail('empty hex number for chunk length');
    this.#chunkPhase = C_DIGITS;
    this.#chunkDigits = 0;
    this.#chunkLine = 0;
    this.#remaining = size;
    if (size === 0) {
      this.#state = S_TRAILERS;
      this.#sectionBytes = 0;
      this.#lineLen = 0;
    } else {
      this.#state = S_CHUNK_DATA;
    }
    return i + 1;
  }

  /** The CRLF after a chunk's data. */
  #readChunkEnd(buf: Buffer, pos: number, end: number): number {
    let i = pos;
    for (; i < end; i++) {
      const c = buf[i];
      if (c === LF) {
        this.#state = S_CHUNK_SIZE;
        this.#chunkPhase = C_DIGITS;
        this.#remaining = 0;
        return i + 1;
      }
      if (c !== CR || this.#chunkPhase === C_CR) return this.#fail('malformed chunked encoding');
      this.#chunkPhase = C_CR;
    }
    return NEED_MORE;
  }

  /** Trailer lines up to the blank line ending the body. Go keeps them apart from the headers; so do we. */
  #readTrailers(buf: Buffer, pos: number, end: number): number {
    let lineLen = this.#lineLen;
    for (let i = pos; i < end; i++) {
      const c = buf[i];
      if (c === LF) {
        if (lineLen === 0) return i + 1;
        lineLen = 0;
      } else if (c === 0) {
        return this.#fail('malformed MIME header line in trailer');
      } else if (c !== CR) {
        lineLen++;
      }
    }
    this.#sectionBytes += end - pos;
    if (this.#sectionBytes > MAX_HEAD_BYTES) return this.#fail('net/http: server response trailers exceeded the size limit');
    this.#lineLen = lineLen;
    return NEED_MORE;
  }
}

/** Header value bytes Go accepts: anything but control characters other than HT, and DEL. */
function validValue(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if ((c < 32 && c !== HT) || c === 127) return false;
  }
  return true;
}

/** ASCII case-insensitive comparison of buf[start..] with a lowercase literal of the same length. */
function nameIs(buf: Buffer, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((buf[start + i] | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** A Content-Length value: digits only, as Go requires; -1 otherwise. */
function parseLength(buf: Buffer, start: number, end: number): number {
  if (start === end || end - start > MAX_LENGTH_DIGITS) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Bit 1: a `close` token, bit 2: a `keep-alive` token, in a comma-separated Connection value. */
function connectionTokens(buf: Buffer, start: number, end: number): number {
  let out = 0;
  let i = start;
  while (i < end) {
    while (i < end && (buf[i] === SP || buf[i] === HT || buf[i] === 44)) i++;
    const ts = i;
    while (i < end && buf[i] !== 44) i++;
    let te = i;
    while (te > ts && (buf[te - 1] === SP || buf[te - 1] === HT)) te--;
    if (te - ts === 5 && nameIs(buf, ts, 'close')) out |= 1;
    else if (te - ts === 10 && nameIs(buf, ts, 'keep-alive')) out |= 2;
  }
  return out;
}

/**
 * The header lines head[start, end) as [name, value, ...]: names as sent (latin1), values trimmed and decoded as
 * UTF-8 (how Go strings reach k6 scripts), obs-fold continuations joined to their value with a space.
 */
export function headerPairs(head: Buffer, start: number, end: number): string[] {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    const ls = i;
    while (i < end && head[i] !== LF) i++;
    const le = i > ls && head[i - 1] === CR ? i - 1 : i;
    i++;
    if (le === ls) break;
    const first = head[ls];
    if (first === SP || first === HT) {
      let vs = ls;
      while (vs < le && (head[vs] === SP || head[vs] === HT)) vs++;
      let ve = le;
      while (ve > vs && (head[ve - 1] === SP || head[ve - 1] === HT)) ve--;
      if (out.length !== 0 && ve > vs) {
        const prev = out[out.length - 1];
        const more = head.toString('utf8', vs, ve);
        out[out.length - 1] = prev === '' ? more : `${prev} ${more}`;
      }
      continue;
    }
    let colon = ls;
    while (colon < le && head[colon] !== 58) colon++;
    let vs = colon + 1;
    while (vs < le && (head[vs] === SP || head[vs] === HT)) vs++;
    let ve = le;
    while (ve > vs && (head[ve - 1] === SP || head[ve - 1] === HT)) ve--;
    out.push(head.toString('latin1', ls, colon), vs < ve ? head.toString('utf8', vs, ve) : '');
  }
  return out;
}
