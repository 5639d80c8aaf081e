import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  mail: ParsedMail;
  /** Whether the session was upgraded with STARTTLS before the message. */
  secure: boolean;
  user: string;
  to: string[];
}

/**
 * A real SMTP server on loopback (smtp-server, the maintained one from the Nodemailer
 * project) as a mail relay behaves: STARTTLS offered with its own self-signed certificate,
 * AUTH refused before it, one login. Every message is parsed as a mail client would.
 */
export async function startSmtpServer(login = { user: 'earshot', pass: 's3cret' }) {
  const mails: ReceivedMail[] = [];
  const smtp = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth: (auth, _session, cb) =>
      auth.username === login.user && auth.password === login.pass ? cb(null, { user: auth.username }) : cb(new Error('bad login')),
    onData: (stream, session, cb) => {
      simpleParser(stream).then(
        (mail) => {
          mails.push({ mail, secure: session.secure, user: String(session.user), to: session.envelope.rcptTo.map((r) => r.address) });
          cb();
        },
        (err: Error) => cb(err),
      );
    },
    logger: false,
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  return {
    mails,
    /** EARSHOT_SMTP_URL for it: requireTLS fails the send unless STARTTLS happens; the certificate is self-signed. */
    url: `smtp://${login.user}:${login.pass}@127.0.0.1:${port}?requireTLS=true&tls.rejectUnauthorized=false`,
    close: () => new Promise<void>((r) => smtp.close(() => r())),
  };
}

/**
 * Webhook receivers on loopback (Slack, Teams, plain webhooks), answering 200 "ok" as
 * Slack documents its incoming webhooks (https://api.slack.com/messaging/webhooks).
 * Records each POST's path and JSON body.
 */
export async function startHookServer() {
  const posts: { path: string; body: any }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    posts,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
