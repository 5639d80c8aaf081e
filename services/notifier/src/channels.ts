import { createHash } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { Alert, ClickHouseClient, Config } from '@earshot/shared';
import { incidentNote, postJson, slackNotifier, webhookNotifier, type Notifier } from '@earshot/detector';
import { kindLabel } from '@earshot/api';
import { alertEmail, acknowledgeUrl, loadAlertContext, type AlertContext } from './alert-message.js';
import { alertSeverity } from './route-alert.js';
import type { ChannelConfig, RoutesFile } from './routes-file.js';

const verb = (a: Alert) => (a.status === 'open' ? 'opened' : a.status === 'resolved' ? 'resolved' : 'updated');

/** A Teams message holding one Adaptive Card: these blocks, and one button that opens a link. */
export function teamsCard(body: object[], open: { title: string; url: string }) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', ...open }],
        },
      },
    ],
  };
}

/**
 * Microsoft Teams through a Workflows incoming webhook: a message with one Adaptive Card
 * attachment, the format Microsoft documents for them
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook).
 */
export function teamsNotifier(url: string, opts: { consoleUrl: string }, fetchImpl: typeof fetch = fetch): Notifier {
  return {
    name: 'teams',
    send: (a, key) =>
      postJson(
        url,
        teamsCard(
          [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: `${kindLabel(a.kind)} ${verb(a)}${incidentNote(a)} for ${a.brand}` },
            { type: 'TextBlock', wrap: true, text: a.summary },
            {
              type: 'FactSet',
              facts: [
                { title: 'Severity', value: `${alertSeverity(a)}/10 ${a.severity}` },
                { title: 'Observed', value: `${a.observed} (expected ${a.expected})` },
                ...(a.explanation?.terms.length ? [{ title: 'What rose', value: a.explanation.terms.join(', ') }] : []),
              ],
            },
          ],
          { title: 'Acknowledge in Earshot', url: acknowledgeUrl(opts.consoleUrl, a) },
        ),
        fetchImpl,
        key,
      ),
  };
}

/**
 * Prometheus Alertmanager's API v2 (POST /api/v2/alerts, a list of alerts with labels,
 * annotations, startsAt and endsAt: https://prometheus.io/docs/alerting/latest/clients/);
 * a resolved alert is sent again with its endsAt, which resolves it there.
 */
export function alertmanagerNotifier(url: string, opts: { consoleUrl: string }, fetchImpl: typeof fetch = fetch): Notifier {
  return {
    name: 'alertmanager',
    send: (a, key) =>
      postJson(
        `${url.replace(/\/+$/, '')}/api/v2/alerts`,
        [
          {
            labels: { alertname: `earshot_${a.kind}`, brand: a.brand, severity: a.severity, ...(a.source ? { source: a.source } : {}), alert_id: a.id },
            annotations: { summary: a.summary, severity_score: String(alertSeverity(a)) },
            startsAt: a.opened_at,
            ...(a.resolved_at ? { endsAt: a.resolved_at } : {}),
            generatorURL: acknowledgeUrl(opts.consoleUrl, a),
          },
        ],
        fetchImpl,
        key,
      ),
  };
}

/** Email over SMTP: one message per alert version, with a Message-ID made from the delivery key (receivers can drop a repeat). */
export function emailNotifier(
  to: string[],
  deps: { transport: Pick<Transporter, 'sendMail'>; from: string; consoleUrl: string; context: (a: Alert) => Promise<AlertContext> },
): Notifier {
  return {
    name: 'email',
    send: async (a, key) => {
      const message = alertEmail(a, await deps.context(a), { consoleUrl: deps.consoleUrl });
      await deps.transport.sendMail({ from: deps.from, to, ...message, messageId: messageIdFor(key ?? `${a.id}@${a.updated_at}`) });
    },
  };
}

export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

export type ChannelsConfig = Pick<Config, 'EARSHOT_SMTP_URL' | 'EARSHOT_SMTP_FROM' | 'EARSHOT_CONSOLE_URL' | 'EARSHOT_PORT'>;

/** Where people open the console (links in messages). */
export const consoleUrlOf = (config: ChannelsConfig) => config.EARSHOT_CONSOLE_URL ?? `http://localhost:${config.EARSHOT_PORT}`;

/** One SMTP transport, made when the first email channel asks for it; without EARSHOT_SMTP_URL, an error naming the channel. */
export function smtpTransport(config: ChannelsConfig): (channel: string) => Transporter {
  let transport: Transporter | undefined;
  return (name) => {
    if (!config.EARSHOT_SMTP_URL) throw new ChannelConfigError(`channel "${name}" sends email: set EARSHOT_SMTP_URL (smtp://user:password@host:587)`);
    return (transport ??= createTransport(config.EARSHOT_SMTP_URL));
  };
}

/** A Message-ID made from a delivery key, the same on every attempt (receivers can drop a repeat). */
export const messageIdFor = (key: string) => `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@earshot>`;

/**
 * The routes file's channels as notifiers, each named after its channel (the outbox and the
 * metrics know them by that name). An email channel needs EARSHOT_SMTP_URL.
 */
export function buildChannels(
  file: RoutesFile,
  deps: {
    config: ChannelsConfig;
    client?: ClickHouseClient;
    fetchImpl?: typeof fetch;
  },
): Map<string, Notifier> {
  const { config } = deps;
  const consoleUrl = consoleUrlOf(config);
  const smtp = smtpTransport(config);
  const context = (a: Alert): Promise<AlertContext> =>
    deps.client ? loadAlertContext(deps.client, a) : Promise.resolve({ samples: a.sample_mentions, events: [] });
  const build = (name: string, c: ChannelConfig): Notifier => {
    switch (c.type) {
      case 'webhook':
        return webhookNotifier(c.url, deps.fetchImpl);
      case 'slack':
        return slackNotifier(c.url, deps.fetchImpl);
      case 'teams':
        return teamsNotifier(c.url, { consoleUrl }, deps.fetchImpl);
      case 'alertmanager':
        return alertmanagerNotifier(c.url, { consoleUrl }, deps.fetchImpl);
      case 'email':
        return emailNotifier(c.to, { transport: smtp(name), from: config.EARSHOT_SMTP_FROM, consoleUrl, context });
    }
  };
  return new Map(Object.entries(file.channels).map(([name, c]) => [name, { ...build(name, c), name }]));
}
