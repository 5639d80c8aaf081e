import type { Transporter } from 'nodemailer';
import { digestHtml, digestText, type Digest } from '@earshot/api';
import { postJson } from '@earshot/detector';
import type { ChannelConfig, RoutesFile } from './routes-file.js';
import { consoleUrlOf, messageIdFor, smtpTransport, teamsCard, type ChannelsConfig } from './channels.js';

/** A channel as digests reach it; `key` names the delivery (brand, period, start, channel) for receivers that deduplicate. */
export interface DigestSender {
  name: string;
  send(digest: Digest, key: string): Promise<void>;
}

const title = (d: Digest) =>
  `${d.brand}: ${d.period === 'day' ? 'daily' : 'weekly'} digest, ${d.from.slice(0, 10)}${d.period === 'week' ? ` to ${d.to.slice(0, 10)}` : ''}`;

/** Where the digest's HTML page is (GET /v1/digest, the `read` scope). */
export const digestUrl = (consoleUrl: string, d: Digest) =>
  `${consoleUrl.replace(/\/+$/, '')}/v1/digest?${new URLSearchParams({ brand: d.brand, period: d.period, to: d.to, format: 'html' })}`;

/** The digest as one channel type sends it: email (text and HTML parts), Slack and Teams (the text with a link), webhooks (the JSON). */
function digestSender(
  c: Exclude<ChannelConfig, { type: 'alertmanager' }>,
  deps: { consoleUrl: string; fetchImpl: typeof fetch; from: string; smtp: () => Transporter },
) {
  switch (c.type) {
    case 'webhook':
      return (d: Digest, key: string) => postJson(c.url, { event: 'digest', digest: d }, deps.fetchImpl, key);
    case 'slack':
      // Incoming webhooks take `text` (mrkdwn) and blocks: https://api.slack.com/messaging/webhooks
      return (d: Digest, key: string) =>
        postJson(
          c.url,
          {
            text: `:bar_chart: ${title(d)}`,
            blocks: [
              { type: 'section', text: { type: 'mrkdwn', text: `*${title(d)}*\n${digestText(d).split('\n').slice(2).join('\n').trim()}` } },
              { type: 'section', text: { type: 'mrkdwn', text: `<${digestUrl(deps.consoleUrl, d)}|The digest as a page>` } },
            ],
          },
          deps.fetchImpl,
          key,
        );
    case 'teams':
      // An Adaptive Card through a Workflows webhook, as the alert channel sends (see teamsNotifier).
      return (d: Digest, key: string) =>
        postJson(
          c.url,
          teamsCard(
            [
              { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: title(d) },
              { type: 'TextBlock', wrap: true, text: digestText(d).split('\n').slice(2).join('\n\n').trim() },
            ],
            { title: 'Open the digest', url: digestUrl(deps.consoleUrl, d) },
          ),
          deps.fetchImpl,
          key,
        );
    case 'email':
      return async (d: Digest, key: string) => {
        await deps.smtp().sendMail({
          from: deps.from,
          to: c.to,
          subject: `[Earshot] ${title(d)}`,
          text: digestText(d),
          html: digestHtml(d),
          messageId: messageIdFor(key),
        });
      };
  }
}

/** The channels of routes that take digests (their kinds include `digest`), as digest senders by channel name. */
export function buildDigestChannels(file: RoutesFile, deps: { config: ChannelsConfig; fetchImpl?: typeof fetch }): Map<string, DigestSender> {
  const smtp = smtpTransport(deps.config);
  const names = new Set(file.routes.filter((r) => r.match.kinds?.includes('digest')).flatMap((r) => r.channels));
  const out = new Map<string, DigestSender>();
  for (const name of names) {
    const c = file.channels[name]!;
    // The routes file refuses a digest route to Alertmanager; a legacy channel never takes digests.
    if (c.type === 'alertmanager') continue;
    // No EARSHOT_SMTP_URL is an error at start, not at 08:00.
    if (c.type === 'email') smtp(name);
    const send = digestSender(c, {
      consoleUrl: consoleUrlOf(deps.config),
      fetchImpl: deps.fetchImpl ?? fetch,
      from: deps.config.EARSHOT_SMTP_FROM,
      smtp: () => smtp(name),
    });
    out.set(name, { name, send });
  }
  return out;
}
