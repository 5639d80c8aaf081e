import { describe, expect, it } from 'vitest';
import { allTopics } from './index.js';

describe('topic contracts', () => {
  it.each(allTopics.map((t) => [t.name, t] as const))('%s: every example is valid and keyed', (_name, topic) => {
    expect(topic.examples.length).toBeGreaterThan(0);
    for (const example of topic.examples) {
      const parsed = topic.schema.safeParse(example);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(topic.key(parsed.data as never)).toMatch(/.+:.+|^[\w.-]+$/);
    }
  });

  it('keeps the contract names', () => {
    expect(allTopics.map((t) => t.name)).toEqual([
      'earshot.mentions.raw.v1',
      'earshot.mentions.enriched.v1',
      'earshot.events.v1',
      'earshot.alerts.v1',
      'earshot.deadletter.v1',
      'earshot.engagement.v1',
    ]);
  });
});
