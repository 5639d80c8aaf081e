import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseTime } from './rows.js';

/**
 * Inserts `count` synthetic mentions (ids from `offset`) over the 90 days from `start`
 * through the real table and its materialized views, for `earshot bench queries`. Here,
 * beside the table, so a new column is filled where the table is defined.
 */
export async function fillSyntheticMentions(client: ClickHouseClient, o: { offset: number; count: number; start: number }): Promise<void> {
  // Synthetic but shaped like real traffic: skewed brands and sources, daily rhythm, ~20% complaints.
  await client.command({
    query: `INSERT INTO mentions (source, id, created_at, ingested_at, enriched_at, text, title, url, lang, brands, author_id, author_handle, author_name,
              author_followers, likes, shares, replies, views, in_reply_to, rating, metadata, sentiment_label, sentiment_score, p_negative, p_neutral,
              p_positive, intents, intent_scores, emotion, toxicity, journey_stage, model_name, model_version)
            SELECT
              ['twitter','reddit','mastodon','trustpilot','appstore','news'][1 + (cityHash64(number, 1) % 6)] AS source,
              toString({offset:UInt64} + number) AS id,
              toDateTime64({start:DateTime64(3)}, 3) + toIntervalSecond(intDiv(cityHash64(number, 2) % 7776000, 1) ) AS created_at,
              created_at, created_at,
              concat('synthetic mention ', toString(number), if(cityHash64(number, 3) % 5 = 0, ' app down refund order failed', ' love the new plan')),
              '', '', 'en',
              [['acme','globex','initech','umbrella','hooli'][1 + toUInt8(floor(pow(cityHash64(number, 4) % 1000 / 1000, 2) * 5))]],
              toString(cityHash64(number, 5) % 100000), 'user', '', cityHash64(number, 6) % 5000, cityHash64(number, 7) % 50, 0, 0, 0, '', NULL, '',
              ['negative','neutral','positive'][1 + (cityHash64(number, 8) % 3)] AS sentiment_label,
              if(sentiment_label = 'negative', -0.6, if(sentiment_label = 'positive', 0.6, 0)), 0.3, 0.4, 0.3,
              if(cityHash64(number, 3) % 5 = 0, ['complaint'], []), if(cityHash64(number, 3) % 5 = 0, [0.9], []),
              map(), map(), 'awareness', 'bench', '0'
            FROM numbers({n:UInt64})`,
    query_params: { offset: o.offset, n: o.count, start: toClickHouseTime(o.start) },
  });
}
