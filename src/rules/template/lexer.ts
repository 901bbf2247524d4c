/**
 * The lexer of Go's text/template, rule for rule: text and actions, `{{-`/`-}}` trimming, comments, and the
 * tokens inside actions. It produces every token up front; an error ends the stream with an `error` token
 * whose text is Go's message.
 */

export type ItemType =
  | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'comment' | 'eof' | 'error'
  | 'identifier' | 'field' | 'variable' | 'dot' | 'string' | 'rawString' | 'charConstant' | 'number' | 'complex'
  | 'bool' | 'nil' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'char'
  | 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'range' | 'template' | 'with';

export interface Item {
  type: ItemType;
  /** Offset in the input (UTF-16 units). */
  pos: number;
  val: string;
}

export const KEYWORDS = new Set<ItemType>(['dot', 'block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with', 'nil']);
const KEYWORD_WORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with', 'nil']);

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined) => c !== undefined && (c === '_' || /^[\p{L}\p{Nd}]$/u.test(c));

/** Go's %#U: U+0023 '#'. */
function quoteRune(c: string): string {
  const cp = c.codePointAt(0) as number;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

export function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;
  const emit = (type: ItemType) => {
    items.push({ type, pos: start, val: input.slice(start, pos) });
    start = pos;
  };
  const fail = (msg: string) => {
    items.push({ type: 'error', pos: start, val: msg });
  };
  const hasLeftTrim = (at: number) => input[at] === '-' && isSpace(input[at + 1]);
  const atRightDelim = (): [boolean, boolean] => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith('}}', pos + 2)) return [true, true];
    return [input.startsWith('}}', pos), false];
  };
  const leftTrimLength = (at: number) => {
    let n = 0;
    while (isSpace(input[at + n])) n++;
    return n;
  };
  const nextRune = (): string | undefined => {
    if (pos >= input.length) {
      pos++;
      return undefined;
    }
    const c = String.fromCodePoint(input.codePointAt(pos) as number);
    pos += c.length;
    return c;
  };
  const accept = (valid: string): boolean => {
    if (pos < input.length && valid.includes(input[pos])) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string) => {
    while (pos < input.length && valid.includes(input[pos])) pos++;
  };
  const atTerminator = (): boolean => {
    const c = input[pos];
    if (c === undefined || isSpace(c) || '.,|:)('.includes(c)) return true;
    return input.startsWith('}}', pos);
  };
  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input[pos])) {
      nextRune();
      return false;
    }
    return true;
  };

  // returns false when lexing stops (error or EOF)
  const lexText = (): boolean => {
    const x = input.indexOf('{{', pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit('text');
      start = pos;
      items.push({ type: 'eof', pos, val: '' });
      return false;
    }
    pos = x;
    let trimmed = pos;
    if (hasLeftTrim(x + 2)) {
      while (trimmed > start && isSpace(input[trimmed - 1])) trimmed--;
    }
    if (trimmed > start) items.push({ type: 'text', pos: start, val: input.slice(start, trimmed) });
    start = pos;
    return lexLeftDelim();
  };

  const lexLeftDelim = (): boolean => {
    pos += 2;
    const trim = hasLeftTrim(pos);
    const after = trim ? 2 : 0;
    if (input.startsWith('/*', pos + after)) {
      pos += after;
      start = pos;
      return lexComment();
    }
    items.push({ type: 'leftDelim', pos: start, val: '{{' });
    pos += after;
    start = pos;
    parenDepth = 0;
    return lexInsideAction();
  };

  const lexComment = (): boolean => {
    pos += 2;
    const x = input.indexOf('*/', pos);
    if (x < 0) {
      fail('unclosed comment');
      return false;
    }
    pos = x + 2;
    const [delim, trim] = atRightDelim();
    if (!delim) {
      fail('comment ends before closing delimiter');
      return false;
    }
    emit('comment');
    if (trim) pos += 2;
    pos += 2;
    if (trim) pos += leftTrimLength(pos);
    start = pos;
    return true;
  };

  const lexRightDelim = (): boolean => {
    const [, trim] = atRightDelim();
    if (trim) pos += 2;
    start = pos;
    pos += 2;
    emit('rightDelim');
    if (trim) {
      pos += leftTrimLength(pos);
      start = pos;
    }
    return true;
  };

  const lexInsideAction = (): boolean => {
    for (;;) {
      const [delim] = atRightDelim();
      if (delim) {
        if (parenDepth === 0) return lexRightDelim();
        fail('unclosed left paren');
        return false;
      }
      const r = nextRune();
      if (r === undefined) {
        fail('unclosed action');
        return false;
      }
      if (isSpace(r)) {
        pos -= 1;
        let n = 0;
        while (isSpace(input[pos])) {
          pos++;
          n++;
        }
        // a space before "-}}" belongs to the trim marker
        if (input[pos - 1] !== undefined && isSpace(input[pos - 1]) && input[pos] === '-' && input.startsWith('}}', pos + 1)) {
          pos--;
          if (n === 1) {
            start = pos;
            continue;
          }
        }
        emit('space');
        continue;
      }
      switch (r) {
        case '=': emit('assign'); continue;
        case ':':
          if (input[pos] !== '=') {
            fail('expected :=');
            return false;
          }
          pos++;
          emit('declare');
          continue;
        case '|': emit('pipe'); continue;
        case '"': if (!lexQuote()) return false; continue;
        case '`': {
          const x = input.indexOf('`', pos);
          if (x < 0) {
            fail('unterminated raw quoted string');
            return false;
          }
          pos = x + 1;
          emit('rawString');
          continue;
        }
        case '$': if (!lexFieldOrVariable('variable')) return false; continue;
        case "'": if (!lexChar()) return false; continue;
        case '(': emit('leftParen'); parenDepth++; continue;
        case ')':
          emit('rightParen');
          parenDepth--;
          if (parenDepth < 0) {
            fail('unexpected right paren');
            return false;
          }
          continue;
      }
      if (r === '.' && pos < input.length && !(input[pos] >= '0' && input[pos] <= '9')) {
        if (!lexFieldOrVariable('field')) return false;
        continue;
      }
      if (r === '.' || r === '+' || r === '-' || (r >= '0' && r <= '9')) {
        pos -= 1;
        if (!scanNumber()) {
          fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
          return false;
        }
        if (input[pos] === '+' || input[pos] === '-') {
          if (!scanNumber() || input[pos - 1] !== 'i') {
            fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
            return false;
          }
          emit('complex');
        } else emit('number');
        continue;
      }
      if (isAlphaNumeric(r)) {
        while (isAlphaNumeric(input[pos]) || (pos < input.length && isAlphaNumeric(String.fromCodePoint(input.codePointAt(pos) as number)))) nextRune();
        if (!atTerminator()) {
          fail(`bad character ${quoteRune(String.fromCodePoint(input.codePointAt(pos) as number))}`);
          return false;
        }
        const word = input.slice(start, pos);
        if (KEYWORD_WORDS.has(word)) emit(word as ItemType);
        else if (word === 'true' || word === 'false') emit('bool');
        else emit('identifier');
        continue;
      }
      if (r.length === 1 && r.charCodeAt(0) < 0x7f && r.charCodeAt(0) > 0x20) {
        emit('char');
        continue;
      }
      fail(`unrecognized character in action: ${quoteRune(r)}`);
      return false;
    }
  };

  const lexFieldOrVariable = (type: 'field' | 'variable'): boolean => {
    if (atTerminator()) {
      emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    while (pos < input.length && isAlphaNumeric(String.fromCodePoint(input.codePointAt(pos) as number))) nextRune();
    if (!atTerminator()) {
      fail(`bad character ${quoteRune(String.fromCodePoint(input.codePointAt(pos) as number))}`);
      return false;
    }
    emit(type);
    return true;
  };

  const lexQuote = (): boolean => {
    for (;;) {
      const r = nextRune();
      if (r === '\\') {
        const n = nextRune();
        if (n !== undefined && n !== '\n') continue;
      }
      if (r === undefined || r === '\n' || (r === '\\')) {
        fail('unterminated quoted string');
        return false;
      }
      if (r === '"') break;
    }
    emit('string');
    return true;
  };

  const lexChar = (): boolean => {
    for (;;) {
      const r = nextRune();
      if (r === '\\') {
        const n = nextRune();
        if (n !== undefined && n !== '\n') continue;
      }
      if (r === undefined || r === '\n' || r === '\\') {
        fail('unterminated character constant');
        return false;
      }
      if (r === "'") break;
    }
    emit('charConstant');
    return true;
  };

  for (;;) {
    start = pos;
    if (!lexText()) break;
    // lexText returns after one action (or comment); continue with the text after it
    if (items.length && items[items.length - 1].type === 'error') break;
  }
  if (items[items.length - 1].type !== 'eof' && items[items.length - 1].type !== 'error') items.push({ type: 'eof', pos, val: '' });
  return items;
}

/** How Go's parser names a token in "unexpected X in Y". */
export function describeItem(it: Item): string {
  if (it.type === 'eof') return 'EOF';
  if (it.type === 'error') return it.val;
  if (KEYWORDS.has(it.type)) return `<${it.val}>`;
  const runes = [...it.val];
  if (runes.length > 10) return `${quoteGo(runes.slice(0, 10).join(''))}...`;
  return quoteGo(it.val);
}

function quoteGo(s: string): string {
  return JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h}`);
}
