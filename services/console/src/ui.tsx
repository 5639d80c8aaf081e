import type { ComponentChildren } from 'preact';
import type { Mention } from './api.js';
import { href } from './route.js';
import { ago, num, tierOf } from './format.js';

export function Stat({ label, value, hint, tone }: { label: string; value: ComponentChildren; hint?: string; tone?: 'bad' | 'good' }) {
  return (
    <div class={`stat ${tone ?? ''}`}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint && <div class="stat-hint">{hint}</div>}
    </div>
  );
}

export function Panel({ title, children, actions, id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  const headingId = id ?? `panel-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section class="panel" aria-labelledby={headingId}>
      <header class="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A failed request, with the server's reason (a 401 says which key scope is needed). */
export function Problem({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p class="problem" role="alert">
      {error}
    </p>
  );
}

/** A column of a table's head: its label, and whether it holds numbers (right-aligned). */
export type Column = string | { label: string; num: true };
export const numCol = (label: string): Column => ({ label, num: true });

/** A table's head row, one `th scope="col"` per column. */
export function TableHead({ cols }: { cols: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) =>
          typeof c === 'string' ? (
            <th scope="col" key={c}>
              {c}
            </th>
          ) : (
            <th scope="col" class="num" key={c.label}>
              {c.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

export function Badge({ children, tone }: { children: ComponentChildren; tone?: string }) {
  return <span class={`badge ${tone ?? ''}`}>{children}</span>;
}

export const sentimentTone = (label: string) => (label === 'negative' ? 'bad' : label === 'positive' ? 'good' : 'neutral');

/** One mention with its enrichment, a link to the post and to the author's history. */
export function MentionItem({ m, fresh }: { m: Mention; fresh?: boolean }) {
  // The brand's own posts (its accounts' replies) are not customers asking: no intent tags.
  const intents = m.from_brand ? [] : m.intents;
  const emotion = Object.entries(m.emotion).sort((a, b) => b[1] - a[1])[0];
  return (
    <li class={`mention${fresh ? ' fresh' : ''}${m.from_brand ? ' from-brand' : ''}`}>
      <div class="mention-meta">
        <Badge tone={sentimentTone(m.sentiment.label)}>{m.sentiment.label}</Badge>
        <span class="source">{m.source}</span>
        <a href={href('care', { author: `${m.source}:${m.author.id}` })} class="author" title="This customer across sources">
          @{m.author.handle || m.author.id}
        </a>
        {/* Stored as 0 when the source sent no count: nothing to show. */}
        {m.author.followers > 0 && <span class="muted">{num(m.author.followers)} followers</span>}
        <time dateTime={m.created_at} class="muted">
          {ago(m.created_at)}
        </time>
      </div>
      <p class="mention-text">
        {m.title ? <strong>{m.title} </strong> : null}
        {m.text}
      </p>
      <div class="mention-tags">
        {m.from_brand && <Badge tone="brand">brand's own post</Badge>}
        {intents.map((i) => (
          <Badge key={i.label}>{i.label.replace(/_/g, ' ')}</Badge>
        ))}
        {emotion && emotion[1] >= 0.3 && <Badge tone="soft">{emotion[0]}</Badge>}
        {m.journey_stage && <Badge tone="soft">{m.journey_stage}</Badge>}
        <span class="muted">{m.lang}</span>
        {m.model && (
          <span class="muted tier" title={`Labelled by ${m.model.name} ${m.model.version}`}>
            {tierOf(m.model.name)} tier
          </span>
        )}
        {m.url && (
          <a href={m.url} target="_blank" rel="noopener noreferrer">
            Open post
          </a>
        )}
      </div>
    </li>
  );
}
