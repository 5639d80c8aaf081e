import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleAlert } from '../services/notifier/src/test-support/sample-alert.js';
import { NotificationOutbox, type Alert, type Mention } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { AlertDispatcher, AlertRouter, buildChannels, parseRoutesFile } from '@earshot/notifier';
import { freshMetrics, overHttp, quietLogger, tempDir, testConfig } from './helpers.js';
import { startHookServer, startSmtpServer } from './receivers.js';

const T = Date.parse('2026-11-20T08:00:00Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();

/**
 * Routing to real receivers: a real SMTP server on loopback (STARTTLS and AUTH, as a mail
 * relay asks), Slack and Teams stand-ins and an on-call webhook (./receivers.ts). The
 * complaint surge reaches email, Slack and Teams; the on-call route, whose floor it does
 * not meet, gets nothing.
 */
describe('alert routing to email (SMTP), Slack and Teams', () => {
  const dir = tempDir();
  let rt: Runtime;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hooks: Awaited<ReturnType<typeof startHookServer>>;
  const mails = () => smtp.mails;
  const posts = () => hooks.posts;
  let dispatcher: AlertDispatcher;

  const surge: Alert = sampleAlert({
    window_start: at(0),
    window_end: at(15),
    observed: 41,
    expected: 3.2,
    intent: 'complaint',
    summary: '41 complaints in 15 min, about 3.2 expected',
    explanation: { terms: ['checkout', 'charged twice'], sources: [{ source: 'twitter', mentions: 30 }] },
    sample_mentions: [{ source: 'twitter', id: 's1', url: 'https://x.example/globexfan/status/s1' }],
    opened_at: at(15),
    updated_at: at(15),
  });

  beforeAll(async () => {
    smtp = await startSmtpServer();
    hooks = await startHookServer();
    const hookUrl = hooks.url;
    const config = testConfig({
      EARSHOT_DATA_DIR: dir.path,
      EARSHOT_BRANDS: 'globex=globex',
      EARSHOT_SMTP_URL: smtp.url,
      EARSHOT_SMTP_FROM: 'Earshot <alerts@earshot.example>',
      EARSHOT_CONSOLE_URL: 'https://earshot.example.com',
    });
    rt = await startRuntime(config, overHttp(['ingest', 'classifier', 'writer', 'api']));
    const mentions: Mention[] = [
      {
        id: 's1',
        source: 'twitter',
        text: 'Globex charged me twice at checkout, awful',
        created_at: at(3),
        author: { id: 'u1', handle: 'globexfan', followers: 50 },
      },
    ];
    expect(
      (await fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mentions) })).status,
    ).toBe(202);
    const event = { brand: 'globex', kind: 'outage', title: 'Checkout outage', starts_at: at(-30) };
    expect((await fetch(`${rt.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) })).status).toBe(
      202,
    );
    await rt.drain();

    const routes = parseRoutesFile(
      'routes.yaml',
      `
channels:
  pr-email: { type: email, to: [pr@globex.example, comms@globex.example] }
  ops-slack: { type: slack, url: "${hookUrl}/slack" }
  marketing-teams: { type: teams, url: "${hookUrl}/teams" }
  on-call: { type: webhook, url: "${hookUrl}/pager" }
routes:
  - name: pr
    match: { brands: [globex], kinds: [complaint_surge, viral_negative], min_severity: 6 }
    channels: [pr-email, ops-slack, marketing-teams]
  - name: pager
    match: { min_severity: 9 }
    channels: [on-call]
`,
    );
    const client = rt.deps.store!.client;
    dispatcher = new AlertDispatcher(new AlertRouter(routes), buildChannels(routes, { config, client }), {
      logger: quietLogger(),
      metrics: freshMetrics(),
      outbox: new NotificationOutbox(client),
      now: () => T + 20 * 60_000,
    });
  });
  afterAll(async () => {
    await rt?.stop();
    await smtp?.close();
    await hooks?.close();
    dir.remove();
  });

  it('sends the surge to email and Slack, and nothing to the route whose floor it does not meet', async () => {
    const [routed] = await dispatcher.dispatch([surge]);
    expect(routed!.channels).toEqual(['pr-email', 'ops-slack', 'marketing-teams']);
    expect(
      posts()
        .map((p) => p.path)
        .sort(),
    ).toEqual(['/slack', '/teams']);
    expect(posts().find((p) => p.path === '/slack')!.body.text).toMatch(/globex: complaint surge opened — 41 complaints in 15 min/);
    // Teams Workflows webhooks take a message with an Adaptive Card attachment (the channel's doc link).
    const teams = posts().find((p) => p.path === '/teams')!.body;
    expect(teams).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }],
    });
    expect(JSON.stringify(teams.attachments[0].content.body)).toContain('Complaint surge opened for globex');
    expect(mails()).toHaveLength(1);
  });

  it('the email as received: over STARTTLS with auth, to every address, readable as text and HTML', () => {
    const { mail, secure, user, to } = mails()[0]!;
    expect(secure).toBe(true);
    expect(user).toBe('earshot');
    expect(to).toEqual(['pr@globex.example', 'comms@globex.example']);
    expect(mail.from?.value).toEqual([{ name: 'Earshot', address: 'alerts@earshot.example' }]);
    expect(mail.subject).toBe('[Earshot 7/10 warning] globex: complaint surge opened');
    const text = mail.text!;
    expect(text).toContain('Complaint surge opened for globex: 41 complaints in 15 min, about 3.2 expected');
    expect(text).toContain('Severity: 7/10 warning');
    expect(text).toContain('Words that rose: checkout, charged twice');
    expect(text).toContain('@globexfan on twitter: Globex charged me twice at checkout, awful');
    expect(text).toContain('https://x.example/globexfan/status/s1');
    expect(text).toContain('Checkout outage (outage, 2026-11-20 07:30 UTC)');
    const ack = `https://earshot.example.com/#/alerts?brand=globex&status=all&id=${encodeURIComponent(surge.id)}`;
    expect(text).toContain(`Acknowledge: ${ack}`);
    const html = String(mail.html);
    expect(html).toContain('Complaint surge opened for globex');
    expect(html).toContain(`href="${ack.replace(/&/g, '&#38;')}"`);
    expect(html).toContain('href="https://x.example/globexfan/status/s1"');
    expect(html).not.toMatch(/<script/i);
  });

  it('the outbox holds nothing pending once both channels took it', async () => {
    expect(await new NotificationOutbox(rt.deps.store!.client).pending()).toEqual([]);
  });
});
