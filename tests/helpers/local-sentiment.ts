import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './net.js';

/** A recorded body from tests/fixtures/vendors (see PROVENANCE.md there). */
export function recorded(path: string): string {
  return readFileSync(new URL(`../fixtures/vendors/${path}`, import.meta.url), 'utf8');
}

export type Answer = { readonly status: number; readonly body: string; readonly type?: string };

/**
 * One local server standing in for both CNN (`/index/fearandgreed/graphdata`,
 * 418 to non-browser user agents, as CNN does) and alternative.me (`/fng/`).
 */
export async function startSentimentServer(answers: { cnn: Answer; altme: Answer }): Promise<{
  baseUrl: string;
  requests: { cnn: number; altme: number };
  close(): Promise<void>;
}> {
  const requests = { cnn: 0, altme: 0 };
  const send = (res: ServerResponse, a: Answer): void => {
    res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' });
    res.end(a.body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/index/fearandgreed/graphdata') {
      requests.cnn += 1;
      if (!/Mozilla/.test(req.headers['user-agent'] ?? '')) return send(res, { status: 418, body: "I'm a teapot. You're a bot.", type: 'text/plain' });
      return send(res, answers.cnn);
    }
    if (path === '/fng/') {
      requests.altme += 1;
      return send(res, answers.altme);
    }
    send(res, { status: 404, body: '{}' });
  });
  return { ...(await listenLocal(server)), requests };
}
