// The least a gateway can do: a plain Node HTTP server that forwards each request to UPSTREAM
// with fetch and streams the answer back, checking nothing and recording nothing. The benchmark
// measures it beside the gateway, so the table shows what one more hop costs on this machine
// before the gateway does any work of its own.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = process.env.UPSTREAM;
if (!upstream) throw new Error('bare-proxy: set UPSTREAM to the base URL to forward to');

const server = createServer(async (req, res) => {
  try {
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method,
      headers: {
        authorization: req.headers.authorization ?? '',
        'content-type': req.headers['content-type'] ?? 'application/json',
      },
      body: body.length ? Buffer.concat(body) : undefined,
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
    });
    if (answer.body) for await (const chunk of answer.body) res.write(chunk);
    res.end();
  } catch (error) {
    console.error('bare-proxy:', error);
    res.destroy();
  }
});
server.listen(0, '127.0.0.1', () => {
  console.log(`bare proxy listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
