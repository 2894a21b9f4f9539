/** CSV fields and tables (dashboard/export/): RFC 4180 quoting, formula-safe text, answers as one table. */
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../dashboard/export/csv.ts';
import { tableOf } from '../../dashboard/export/table-of.ts';
import { csvFileName } from '../../dashboard/export/read-in-format.ts';

describe('CSV fields', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [-3, '-3'],
    [0.25, '0.25'],
    [true, 'true'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['lf\nonly', '"lf\nonly"'],
    // A spreadsheet runs these (OWASP, CSV injection): kept as text.
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
    [' =x', ' =x'],
    [[1, 2], '"[1,2]"'],
    [{ a: 1 }, '{""a"":1}'.replace(/^/, '"').concat('"')],
  ])('%j is %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });
});

describe('CSV tables', () => {
  it('writes a header of every column in the order first seen, CRLF after every record', () => {
    expect(
      toCsv([
        { a: 1, b: 'x' },
        { b: 'y', c: null },
      ]),
    ).toBe('a,b,c\r\n1,x,\r\n,y,\r\n');
    expect(toCsv([])).toBe('');
  });

  it('makes one table of each shape of answer', () => {
    expect(tableOf([{ v: 1 }, 2])).toEqual([{ v: 1 }, { value: 2 }]);
    expect(tableOf(null)).toEqual([]);
    // overview: the current row with the figures of the range beside it, then the previous one.
    expect(tableOf({ current: { hits: 2 }, previous: { hits: 1 }, current_visitors: 3 })).toEqual([
      { period: 'current', hits: 2, current_visitors: 3 },
      { period: 'previous', hits: 1 },
    ]);
    expect(tableOf({ current: { hits: 2 }, previous: null, current_visitors: null })).toEqual([
      { period: 'current', hits: 2, current_visitors: null },
    ]);
    // timeseries: points of both periods; the bucket is the file's, not a column.
    expect(tableOf({ bucket: 60, current: [{ t: 1 }, { t: 2 }], previous: [{ t: 0 }] })).toEqual([
      { period: 'current', t: 1 },
      { period: 'current', t: 2 },
      { period: 'previous', t: 0 },
    ]);
    expect(tableOf({ a: 1 })).toEqual([{ a: 1 }]);
  });

  it('names files for site, query and range, with nothing a header or a file system would trip on', () => {
    expect(csvFileName({ query: 'pages', from: '2021-10-22T00:00:00.000Z', to: '2021-10-29T12:30:00.000Z' }, 'example.com')).toBe(
      'example.com_pages_2021-10-22T0000Z_2021-10-29T1230Z.csv',
    );
    expect(csvFileName({ query: 'sites', from: null, to: null }, '')).toBe('all-sites_sites.csv');
    expect(csvFileName({ query: 'x"; evil=1', from: null, to: null }, 'a/b')).toBe('a-b_x-evil-1.csv');
  });
});
