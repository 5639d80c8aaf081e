// Builds the console into dist/: one hashed script and stylesheet and an index.html
// naming them. Run by the root package's prepare script, so `npm ci` leaves it built.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  entryNames: 'app-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).map((f) => basename(f));
const js = files.find((f) => f.endsWith('.js'));
const css = files.find((f) => f.endsWith('.css'));
const html = readFileSync(join(root, 'src/index.html'), 'utf8').replace('%SCRIPT%', `/console/${js}`).replace('%STYLE%', `/console/${css}`);
writeFileSync(join(out, 'index.html'), html);
const gz = (f) => gzipSync(readFileSync(join(out, f))).length;
const total = [js, css, 'index.html'].reduce((s, f) => s + gz(f), 0);
process.stderr.write(
  `console built: ${js} ${(gz(js) / 1024).toFixed(1)} KiB gzip, ${css} ${(gz(css) / 1024).toFixed(1)} KiB gzip, ${(total / 1024).toFixed(1)} KiB gzip in all\n`,
);
