import assert from 'node:assert/strict';
import { csvLine } from '../../src/compliance/audit-serialise.js';

describe('CSV rows of the audit export', () => {
  it('quote as RFC 4180 says, and keep spreadsheets from running a value as a formula', () => {
    assert.equal(
      csvLine([1, 'plain', undefined, 'a,b', 'say "hi"', 'two\nlines']),
      '1,plain,,"a,b","say ""hi""","two\nlines"',
    );
    assert.equal(
      csvLine(['=HYPERLINK("x")', '+1', '-1', '@SUM(A1)']),
      `"'=HYPERLINK(""x"")",'+1,'-1,'@SUM(A1)`,
    );
  });
});
