import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NumberFormatError,
  PARTITIONER_CLASSES,
  abs080,
  abs082,
  defaultPartitioner,
  defaultPartitioner080,
  javaParseInt,
  javaStringHashCode,
  partitionerForClass,
  simplePartitioner,
} from '../../src/client/partitioners.ts';
import { InvalidArgumentError, UnknownNameError } from '../../src/sim/errors.ts';
import { thrownBy } from '../sim/support.ts';

const INT_MIN = -2147483648;

/** Any sequence of UTF-16 code units, lone surrogates included (Java strings allow them). */
const utf16String = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((units) => String.fromCharCode(...units));

describe("javaStringHashCode: Java's String.hashCode", () => {
  it('matches values computed by the JVM', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('hello world')).toBe(1794106052);
    expect(javaStringHashCode('jiketest')).toBe(1913059051);
  });

  it('wraps around in 32-bit signed arithmetic ("polygenelubricants" hashes to Integer.MIN_VALUE)', () => {
    expect(javaStringHashCode('polygenelubricants')).toBe(INT_MIN);
    expect(javaStringHashCode('user10')).toBe(-836031702);
  });

  it('works on UTF-16 code units (a surrogate pair counts as two chars)', () => {
    expect(javaStringHashCode('你好')).toBe(652829);
    expect(javaStringHashCode('😀')).toBe(0xd83d * 31 + 0xde00);
  });

  it('collides as Java does: "Aa" and "BB"', () => {
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
  });

  it('property: always a 32-bit signed integer', () => {
    fc.assert(
      fc.property(utf16String, (s) => {
        const h = javaStringHashCode(s);
        expect(Number.isInteger(h) && h >= INT_MIN && h <= 2147483647).toBe(true);
      }),
    );
  });
});

describe('Utils.abs: 0.8.2 vs 0.8.0/0.8.1', () => {
  it('0.8.2 maps Integer.MIN_VALUE to 0 and takes the absolute value otherwise', () => {
    expect(abs082(INT_MIN)).toBe(0);
    expect(abs082(-1)).toBe(1);
    expect(abs082(5)).toBe(5);
  });

  it('0.8.0 clears the sign bit: -1 becomes 2147483647', () => {
    expect(abs080(-1)).toBe(2147483647);
    expect(abs080(INT_MIN)).toBe(0);
    expect(abs080(5)).toBe(5);
  });

  it('property: both agree on non-negative ints and disagree (n + 2^31 vs -n) on negative ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: INT_MIN + 1, max: 2147483647 }), (n) => {
        if (n >= 0) expect(abs080(n)).toBe(abs082(n));
        else expect(abs080(n)).toBe(n + 2 ** 31);
      }),
    );
  });
});

describe('DefaultPartitioner: Utils.abs(key.hashCode) % numPartitions', () => {
  it('hashes keys as the JVM does', () => {
    expect(defaultPartitioner('hello', 3)).toBe(99162322 % 3);
    expect(defaultPartitioner('', 7)).toBe(0);
  });

  it('"polygenelubricants" (hash Integer.MIN_VALUE) goes to partition 0 in both versions', () => {
    // Java's Math.abs(MIN_VALUE) is negative, which is why 0.8.2 special-cases it;
    // 0.8.0's `& 0x7fffffff` also gives 0 for it.
    expect(defaultPartitioner('polygenelubricants', 5)).toBe(0);
    expect(defaultPartitioner080('polygenelubricants', 5)).toBe(0);
  });

  it('a key with a negative hash code can move between 0.8.1 and 0.8.2: "user10" with 3 partitions', () => {
    // hash -836031702: 0.8.2 -> 836031702 % 3 = 0; 0.8.0 -> 1311451946 % 3 = 2
    expect(defaultPartitioner('user10', 3)).toBe(0);
    expect(defaultPartitioner080('user10', 3)).toBe(2);
  });

  it('property: the two versions always agree with one or two partitions', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(1, 2), (key, n) => {
        expect(defaultPartitioner(key, n)).toBe(defaultPartitioner080(key, n));
      }),
    );
  });

  it('property: the result is in [0, numPartitions) and depends only on the key and the count', () => {
    fc.assert(
      fc.property(utf16String, fc.integer({ min: 1, max: 1000 }), (key, n) => {
        for (const partitioner of [defaultPartitioner, defaultPartitioner080]) {
          const p = partitioner(key, n);
          expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
          expect(partitioner(key, n)).toBe(p);
        }
      }),
    );
  });

  it('refuses a partition count below 1', () => {
    expect(thrownBy(() => defaultPartitioner('k', 0))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe("the article's SimplePartitioner", () => {
  it('uses the number after the last dot of an IP-like key, modulo the partition count', () => {
    expect(simplePartitioner('192.168.2.15', 3)).toBe(0);
    expect(simplePartitioner('192.168.2.16', 3)).toBe(1);
    expect(simplePartitioner('192.168.2.254', 5)).toBe(4);
  });

  it('gives 0 when there is no dot, or when the only dot is at index 0 (`offset > 0`)', () => {
    expect(simplePartitioner('localhost', 3)).toBe(0);
    expect(simplePartitioner('', 3)).toBe(0);
    expect(simplePartitioner('.7', 3)).toBe(0);
  });

  it('throws NumberFormatException for a suffix Integer.parseInt rejects, with Java\'s message', () => {
    const error = thrownBy(() => simplePartitioner('host.local', 3));
    expect(error).toBeInstanceOf(NumberFormatError);
    expect(error).toMatchObject({
      code: 'NUMBER_FORMAT',
      javaException: 'java.lang.NumberFormatException',
      message: 'For input string: "local"',
    });
    expect((thrownBy(() => simplePartitioner('10.0.0.', 3)) as Error).message).toBe('For input string: ""');
    expect((thrownBy(() => simplePartitioner('1.2.3.2147483648', 3)) as Error).message).toBe('For input string: "2147483648"');
    expect(thrownBy(() => simplePartitioner('1.2.3. 4', 3))).toBeInstanceOf(NumberFormatError);
  });

  it("a negative suffix gives a negative partition (Java's % keeps the sign); the producer then rejects it", () => {
    expect(simplePartitioner('a.-7', 4)).toBe(-3);
    expect(Object.is(simplePartitioner('a.-8', 4), 0)).toBe(true); // 0, not -0
    expect(simplePartitioner('a.+7', 4)).toBe(3); // Java 7+ accepts a leading '+'
  });

  it('property: for keys like the article\'s "192.168.2.x" the result is in [0, n)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 254 }), fc.integer({ min: 1, max: 64 }), (x, n) => {
        const p = simplePartitioner(`192.168.2.${x}`, n);
        expect(p).toBe(x % n);
        expect(p >= 0 && p < n).toBe(true);
      }),
    );
  });
});

describe("javaParseInt: Java's Integer.parseInt", () => {
  it('accepts an optional sign and digits within int range', () => {
    expect(javaParseInt('0')).toBe(0);
    expect(javaParseInt('007')).toBe(7);
    expect(javaParseInt('-2147483648')).toBe(INT_MIN);
    expect(javaParseInt('2147483647')).toBe(2147483647);
    expect(javaParseInt('+5')).toBe(5);
    expect(Object.is(javaParseInt('-0'), 0)).toBe(true);
  });

  it('accepts Unicode decimal digits, as Character.digit does', () => {
    expect(javaParseInt('٣')).toBe(3); // ARABIC-INDIC DIGIT THREE
    expect(javaParseInt('１２')).toBe(12); // FULLWIDTH DIGITS
  });

  it('rejects what Java rejects', () => {
    for (const bad of ['', '-', '+', '2147483648', '-2147483649', '1e3', '0x10', ' 1', '1.0', '𝟏']) {
      expect(thrownBy(() => javaParseInt(bad))).toBeInstanceOf(NumberFormatError);
    }
  });

  it('property: round-trips every int', () => {
    fc.assert(
      fc.property(fc.integer({ min: INT_MIN, max: 2147483647 }), (n) => {
        expect(javaParseInt(String(n))).toBe(n);
      }),
    );
  });
});

describe('partitioner.class lookup', () => {
  it('knows the default and the article\'s class names', () => {
    expect(partitionerForClass('kafka.producer.DefaultPartitioner')).toBe(defaultPartitioner);
    expect(partitionerForClass('kafka.producer.partiton.SimplePartitioner')).toBe(simplePartitioner);
    expect(Object.keys(PARTITIONER_CLASSES)).toHaveLength(2);
    expect(thrownBy(() => partitionerForClass('com.example.Nope'))).toBeInstanceOf(UnknownNameError);
  });
});
