import { describe, expect, it } from 'vitest';
import { topicDurability } from './kafka-topics.js';

describe('topicDurability', () => {
  it('asks for three replicas and min.insync.replicas 2 from three brokers up', () => {
    expect(topicDurability(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(topicDurability(7)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('uses every broker of a smaller cluster and leaves min.insync.replicas at the broker default', () => {
    expect(topicDurability(1)).toEqual({ replicationFactor: 1, minInsyncReplicas: null });
    expect(topicDurability(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: null });
  });

  it('keeps a replication factor set by hand, with min.insync.replicas 2 from three replicas', () => {
    expect(topicDurability(5, 2)).toEqual({ replicationFactor: 2, minInsyncReplicas: null });
    expect(topicDurability(5, 5)).toEqual({ replicationFactor: 5, minInsyncReplicas: 2 });
  });
});
