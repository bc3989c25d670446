import { describe, expect, it } from 'vitest';
import { fail, MfinfraError } from '../index.js';
import { renderError } from './renderError.js';

describe('one error format', () => {
  it('"aborted" (the user said no) is not shown as an error and has no code', () => {
    const text = renderError(fail.ABORTED('nothing was deployed; the change set was deleted'), { color: false, debug: false });
    expect(text).toBe('aborted: nothing was deployed; the change set was deleted');
  });

  it('an error without a position has its code on the message line, then the hint', () => {
    const e = new MfinfraError('AWS_ERROR', 'CloudFormation refused the call', { hint: 'check the credentials', exitCode: 1 });
    expect(renderError(e, { color: false, debug: false })).toBe(
      'error CloudFormation refused the call  (AWS_ERROR)\n  hint: check the credentials',
    );
  });
});
