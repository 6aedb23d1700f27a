/**
 * The HTTPS listener the emulators share: the test CA's server certificate, a free port on 127.0.0.1,
 * and a close that also ends kept-alive connections (the SDKs keep theirs open, and server.close alone
 * would wait for them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestCertificates } from './certs.ts';

export interface HttpsListener {
  origin: string;
  close(): Promise<void>;
}

export async function listenHttps(certificates: TestCertificates, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<HttpsListener> {
  const server = createServer({ cert: certificates.certPem, key: certificates.keyPem }, (req, res) => {
    void handle(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
