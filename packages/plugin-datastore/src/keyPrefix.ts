/** Problems with an S3 key prefix written in the manifest, or undefined when it is fine. */
export function keyPrefixProblem(prefix: string): { problem: string; hint: string } | undefined {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (prefix.startsWith('/') || prefix.endsWith('/')) {
    return {
      problem: 'must not start or end with "/"',
      hint: trimmed ? `write "${trimmed}"` : 'give a prefix such as "metaflow"',
    };
  }
  if (prefix.includes('//'))
    return { problem: 'must not contain an empty path segment ("//")', hint: `write "${prefix.replace(/\/{2,}/g, '/')}"` };
  if (prefix.split('/').some((s) => s === '.' || s === '..')) {
    return { problem: 'must not contain "." or ".." path segments', hint: 'S3 keys are not file paths; write the prefix plainly' };
  }
  const bad = prefix.match(/[^A-Za-z0-9!_.*'()/-]/);
  if (bad) {
    return {
      problem: `contains ${JSON.stringify(bad[0])}, which needs escaping in S3 URLs`,
      hint: "use letters, digits and ! - _ . * ' ( ) /",
    };
  }
  return undefined;
}
