/**
 * A plain static file server, as GitHub Pages or any web server is: it serves dist/ under a
 * sub-path (default /swapviz/) and nothing else. No fallback to index.html, no rewriting, no
 * headers beyond the content type: if the production build works here, it works on any static
 * host. `/swapviz` redirects to `/swapviz/` as Pages does. The e2e `subpath` project starts it:
 *
 *   node --import tsx e2e/static-server.ts --port 4174 [--base /swapviz/] [--root dist]
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4174' },
    host: { type: 'string', default: '127.0.0.1' },
    base: { type: 'string', default: '/swapviz/' },
    root: { type: 'string', default: 'dist' },
  },
});
const base = values.base.endsWith('/') ? values.base : `${values.base}/`;
const root = resolve(values.root);
try {
  statSync(join(root, 'index.html'));
} catch {
  console.error(`static-server: ${join(root, 'index.html')} does not exist: run \`npm run build\` first`);
  process.exit(1);
}

/** The file under `root` that `pathname` names, or null (outside `base`, or escaping `root`). */
function fileOf(pathname: string): string | null {
  if (!pathname.startsWith(base)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(base.length));
  } catch {
    return null;
  }
  const file = normalize(join(root, rel.endsWith('/') || rel === '' ? `${rel}index.html` : rel));
  return file === root || file.startsWith(root + sep) ? file : null;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (`${url.pathname}/` === base) {
    res.writeHead(301, { location: `${base}${url.search}` }).end();
    return;
  }
  const file = fileOf(url.pathname);
  let size = -1;
  try {
    if (file) {
      const st = statSync(file);
      if (st.isFile()) size = st.size;
    }
  } catch {
    // not found
  }
  if (!file || size < 0) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url.pathname}\n`);
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

server.listen(Number(values.port), values.host, () => {
  console.log(`static-server: ${root} at http://${values.host}:${values.port}${base}`);
});
