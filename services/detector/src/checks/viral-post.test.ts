import { describe, expect, it } from 'vitest';
import { detectViral } from './viral-post.js';

const MIN = 60_000;

describe('viral negative posts', () => {
  it('flags a negative post spreading far faster than the brand norm, not an ordinary one', () => {
    const now = 10 * MIN;
    const found = detectViral(
      [
        { source: 'x', id: 'hot', url: 'u', created_at: now - 2 * MIN, followers: 300, engagement: 900 },
        { source: 'x', id: 'ordinary', url: 'u', created_at: now - 2 * MIN, followers: 300, engagement: 3 },
      ],
      { engagementP95: 5, followersP95: 800 },
      now,
    );
    expect(found.map((f) => f.id)).toEqual(['hot']);
    expect(found[0]!.reason).toMatch(/450 interactions\/min/);
  });

  it("flags a large author's negative post while it is fresh, not for hours after when nobody engages", () => {
    const post = { source: 'x', id: 'big', url: 'u', created_at: 0, followers: 50_000, engagement: 10 };
    const norms = { engagementP95: 5, followersP95: 800 };
    expect(detectViral([post], norms, 10 * MIN).map((f) => f.reason)).toEqual(['author with 50,000 followers']);
    expect(detectViral([post], norms, 90 * MIN)).toEqual([]);
    // Still spreading fast later: its engagement keeps it flagged.
    expect(detectViral([{ ...post, engagement: 3_000 }], norms, 90 * MIN).map((f) => f.id)).toEqual(['big']);
  });
});
