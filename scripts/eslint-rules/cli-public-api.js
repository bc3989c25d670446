// ESLint rule `mfinfra/cli-public-api`: a file under packages/core/src/cli/ imports from the rest of
// the package only through its declared entry points (packages/core/package.json `exports`: `.` is
// src/index.ts, `./plugin` src/plugin.ts, `./testing` src/testing.ts), as any user of the package
// would. Checks static imports, `export … from`, `import()` and `typeof import()` types; a relative
// path that stays inside cli/ is fine, as is a package name (`@mfinfra/core/plugin`) the exports list.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** packages/core: the package whose cli/ folder is checked, found from the linted file's path. */
function packageRoot(file) {
  const at = file.lastIndexOf(`${path.sep}src${path.sep}cli${path.sep}`);
  return at < 0 ? undefined : file.slice(0, at);
}

const entryCache = new Map();
/** The source files of the package's declared entry points, and its export subpaths (`.`, `./plugin`). */
function entryPoints(root) {
  let entry = entryCache.get(root);
  if (entry) return entry;
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const files = new Set();
  const subpaths = new Set();
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const js = typeof target === 'string' ? target : target.default;
    const m = /^\.\/dist\/(.+)\.js$/.exec(js ?? '');
    if (!m) continue;
    files.add(path.join(root, 'src', `${m[1]}.ts`));
    subpaths.add(subpath);
  }
  entry = { files, subpaths, name: pkg.name };
  entryCache.set(root, entry);
  return entry;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: "the CLI imports only the package's public entry points" },
    schema: [],
    messages: {
      internal:
        "the CLI imports only the package's public entry points: '{{spec}}' is {{what}}; import it from {{entry}} (export it from src/index.ts if it is meaningful as API)",
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const root = packageRoot(file);
    if (!root) return {};
    const cliDir = path.join(root, 'src', 'cli') + path.sep;
    const { files, subpaths, name } = entryPoints(root);
    const index = path
      .relative(path.dirname(file), path.join(root, 'src', 'index.js'))
      .split(path.sep)
      .join('/');
    const entry = index.startsWith('.') ? index : `./${index}`;
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
        if (target.startsWith(cliDir) || files.has(target)) return;
        context.report({ node, messageId: 'internal', data: { spec, what: `${path.relative(root, target)}, not an entry point`, entry } });
        return;
      }
      if (spec === name || spec.startsWith(`${name}/`)) {
        const subpath = spec === name ? '.' : `.${spec.slice(name.length)}`;
        if (subpaths.has(subpath)) return;
        context.report({ node, messageId: 'internal', data: { spec, what: 'not in the package.json exports', entry } });
      }
    };
    const source = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      // `typeof import('../x.js')` in a type
      TSImportType: (node) => {
        const typ = 'source' in node ? node.source : node.argument; // older typescript-eslint: `argument`
        const arg = typ?.literal ?? typ;
        if (arg?.type === 'Literal') check(arg, arg.value);
      },
    };
  },
};
