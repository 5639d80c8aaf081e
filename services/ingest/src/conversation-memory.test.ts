import { describe, expect, it } from 'vitest';
import { ConversationMemory } from './conversation-memory.js';

describe('conversation memory', () => {
  it("recalls a reply's brand from its parent or its thread", () => {
    const memory = new ConversationMemory();
    memory.remember({ source: 'reddit', id: 't3_a', metadata: { thread: 't3_a' } }, ['acme']);
    expect(memory.recall({ source: 'reddit', id: 't1_x', in_reply_to: 't1_y', metadata: { thread: 't3_a' } })).toEqual(['acme']);
    expect(memory.recall({ source: 'reddit', id: 't1_z', in_reply_to: 't3_a' })).toEqual(['acme']);
    expect(memory.recall({ source: 'twitter', id: '9', in_reply_to: 't3_a' })).toBeNull();
    expect(memory.recall({ source: 'reddit', id: 't3_b' })).toBeNull();
  });

  it('forgets the oldest conversations beyond its capacity', () => {
    const memory = new ConversationMemory(4);
    for (let i = 0; i < 5; i++) memory.remember({ source: 's', id: `m${i}` }, ['acme']);
    expect(memory.recall({ source: 's', id: 'r', in_reply_to: 'm0' })).toBeNull();
    expect(memory.recall({ source: 's', id: 'r', in_reply_to: 'm4' })).toEqual(['acme']);
  });
});
