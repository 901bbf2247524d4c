/**
 * strconv.FormatFloat for the 'e', 'f' and 'g' formats, digit for digit. Fixed-precision rounding works on the
 * exact decimal expansion of the double (rounding half to even only on exact ties, as Go's decimal does), and
 * the shortest form uses the shortest round-tripping digits, which JS and Go both compute.
 */

/** value = 0.d × 10^dp; d has no trailing zeros; d === '' means zero. */
interface Digits {
  d: string;
  dp: number;
}

function shortest(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const [m, e] = x.toExponential().split('e');
  const d = m.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(e) + 1 };
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The exact decimal expansion of a finite non-negative double. */
function exact(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  F64[0] = x;
  const bits = U64[0];
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length - -exp;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** Rounds to nd significant digits (nd may be <= 0), half to even on exact ties. */
function round(dg: Digits, nd: number): Digits {
  if (nd < 0 || dg.d.length <= nd) return nd < 0 ? { d: '', dp: dg.dp } : dg;
  const next = dg.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (nd + 1 < dg.d.length) up = true;
  else up = nd > 0 && (dg.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  let d = dg.d.slice(0, nd);
  let dp = dg.dp;
  if (up) {
    let i = d.length - 1;
    while (i >= 0 && d[i] === '9') i--;
    if (i < 0) {
      d = '1';
      dp++;
    } else {
      d = d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1);
    }
  }
  return { d: d.replace(/0+$/, ''), dp };
}

function fmtE(dg: Digits, prec: number, e: string): string {
  const first = dg.d.length ? dg.d[0] : '0';
  let out = first;
  if (prec > 0) out += `.${dg.d.slice(1, 1 + prec).padEnd(prec, '0')}`;
  const exp = dg.d.length ? dg.dp - 1 : 0;
  const abs = Math.abs(exp);
  return `${out}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(dg: Digits, prec: number): string {
  const int = dg.dp > 0 ? dg.d.slice(0, dg.dp).padEnd(dg.dp, '0') : '0';
  if (prec <= 0) return int;
  let frac = '';
  for (let i = 0; i < prec; i++) {
    const j = dg.dp + i;
    frac += j >= 0 && j < dg.d.length ? dg.d[j] : '0';
  }
  return `${int}.${frac}`;
}

/** strconv.FormatFloat(x, fmt, prec, 64); fmt is e, E, f, g or G; prec -1 means shortest. */
export function formatFloat(x: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const sign = neg ? '-' : '';
  const isShortest = prec < 0;
  let dg: Digits;
  if (isShortest) dg = shortest(abs);
  else if (fmt === 'f') dg = round(exact(abs), exact(abs).dp + prec);
  else if (fmt === 'e' || fmt === 'E') dg = round(exact(abs), prec + 1);
  else dg = round(exact(abs), prec === 0 ? 1 : prec);
  if (dg.d === '') dg = { d: '', dp: isShortest ? 0 : dg.dp };
  switch (fmt) {
    case 'e':
    case 'E':
      return sign + fmtE(dg, isShortest ? Math.max(dg.d.length - 1, 0) : prec, fmt);
    case 'f':
      return sign + fmtF(dg, isShortest ? Math.max(dg.d.length - dg.dp, 0) : prec);
    default: {
      let p = isShortest ? dg.d.length : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > dg.d.length && dg.d.length >= dg.dp) eprec = dg.d.length;
      if (isShortest) eprec = 6;
      const exp = dg.dp - 1;
      if (dg.d !== '' && (exp < -4 || exp >= eprec)) {
        if (p > dg.d.length) p = dg.d.length;
        return sign + fmtE(dg, p - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (dg.d === '') return `${sign}0`;
      if (p > dg.dp) p = dg.d.length;
      return sign + fmtF(dg, Math.max(p - dg.dp, 0));
    }
  }
}
